/**
 * Every Redis key and TTL in one table, so prefixes cannot collide across parts.
 * All keys live under one prefix (`jy:` by default) so a shared Redis can host several deployments.
 */
export const KeyPrefix = 'jy:';

export const RedisKeys = {
  /** Conversation session of one sender (`channel:senderId`). */
  session: (conversationId: string) => `${KeyPrefix}session:${conversationId}`,
  /** Set while a message id is being or has been processed (dedupe of platform retries). */
  dedupe: (scope: string, messageId: string) => `${KeyPrefix}dedupe:${scope}:${messageId}`,
  /** Per-sender lock so one sender's messages are handled one at a time. */
  senderLock: (conversationId: string) => `${KeyPrefix}lock:sender:${conversationId}`,
  /** 微信客服 sync_msg cursor of one kf account. */
  kfCursor: (openKfId: string) => `${KeyPrefix}kf:cursor:${openKfId}`,
  /** Lock held by the one worker pulling a kf account. */
  kfPullLock: (openKfId: string) => `${KeyPrefix}lock:kfpull:${openKfId}`,
  /** Cached WeCom access token per (corpid, secret hash). */
  accessToken: (corpId: string, secretHash: string) => `${KeyPrefix}wecom:token:${corpId}:${secretHash}`,
  /** Lock so only one worker refreshes a token at a time. */
  accessTokenLock: (corpId: string, secretHash: string) => `${KeyPrefix}lock:token:${corpId}:${secretHash}`,
  /** Per-sender message rate counter. */
  senderRate: (conversationId: string) => `${KeyPrefix}rate:sender:${conversationId}`,
  /** Bottleneck limiter/group id (bottleneck stores its state under `b_<id>_…`). */
  rateLimiter: (name: string) => `${KeyPrefix}bn:${name}`,
  /** Set (with a PX TTL) while WeCom blocks a scope after a 45009. */
  wecomBlock: (scope: string) => `${KeyPrefix}wecom:block:${scope}`,
  /** A kf pull was requested while another worker held the pull lock; holds the latest callback token. */
  kfPullRequest: (openKfId: string) => `${KeyPrefix}kf:pullreq:${openKfId}`,
  /** 微信客服 reply window of one customer: hash {at: last customer message ms, sent: messages since}. */
  /** Set while a person (not the bot) has a 微信客服 customer's session (转人工). */
  kfPerson: (openKfId: string, externalUserId: string) => `${KeyPrefix}kf:person:${openKfId}:${externalUserId}`,
  kfWindow: (openKfId: string, externalUserId: string) => `${KeyPrefix}kf:window:${openKfId}:${externalUserId}`,
  /** 微信客服 messages kept until the customer next writes (list of JSON kf message bodies). */
  kfPending: (openKfId: string, externalUserId: string) => `${KeyPrefix}kf:pending:${openKfId}:${externalUserId}`,
  /** Namespace of @fastify/rate-limit's failed sign-in counters (it appends the client key). */
  authFailures: () => `${KeyPrefix}rate:auth-fail:`,
  /** The kf account (open_kfid) a 微信客服 customer last wrote to: where news for them goes. */
  kfAccount: (externalUserId: string) => `${KeyPrefix}kf:account:${externalUserId}`,
  /** The scheduler's leader lease. */
  schedulerLease: () => `${KeyPrefix}lock:scheduler`,
} as const;

/** TTLs in seconds. */
export const RedisTtls = {
  dedupe: 3 * 24 * 3600, // kf sync_msg can return 3 days of history
  senderLock: 30,
  kfPullLock: 30,
  accessTokenLock: 10,
  schedulerLease: 60,
  /** A reply window is useless after 48 h; keep it a little longer for diagnosis. */
  kfWindow: 49 * 3600,
  /** A hand-over to a person is forgotten after this long without its ending event (the bot answers again). */
  kfPerson: 7 * 24 * 3600,
  /** Kept kf messages wait this long for the customer to write again. */
  kfPending: 30 * 24 * 3600,
  /** A customer's kf account is remembered this long after their last message (answers can take weeks). */
  kfAccount: 180 * 24 * 3600,
  /** sync_msg callback tokens are valid 10 minutes. */
  kfPullRequest: 600,
} as const;

/** A conversation session (draft) lives `service.draftTtlDays` after its last change. */
export const sessionTtlSeconds = (draftTtlDays: number): number => draftTtlDays * 24 * 3600;
