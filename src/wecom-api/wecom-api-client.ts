/**
 * One WeCom API client for the app, 微信客服 and group robots (contract §0, §1, §5–§8).
 *
 * - The access token is cached per (corp id, secret) in Redis (or memory), shared by all workers, refreshed
 *   by one caller at a time, and dropped + refreshed on 40014/42001 with the failed call retried once. Each
 *   process keeps a copy for as long as the Redis copy lives (read with its PTTL), so a call costs no Redis
 *   round trip for the token; a copy another worker replaced is noticed by the 40014/42001 it earns.
 * - Config errcodes (40001, 40013, 60020 …) throw {@link WeComConfigError} at once; -1 is retried with
 *   backoff at most three times; 45009 blocks the scope for the contract's window, 45033 backs off.
 * - Every call passes through the shared bottleneck limiters (src/wecom-api/rate-limits.ts).
 * - Calls go through undici's `request` with a keep-alive agent per client: global `fetch` cost about four
 *   times the CPU per call (WHATWG streams), and a worker makes a few calls per message.
 *
 * @example
 * const client = createWeComClient({ apiBase: cfg.env.WECOM_API_BASE, corpId, secret, redis, logger, limiters });
 * await client.sendAppMessage({ touser: 'zhangsan', msgtype: 'text', text: { content: '收到' } });
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Logger } from '../infra/logger.js';
import type { Redis } from '../infra/redis.js';
import { RedisKeys, RedisTtls } from '../infra/redis-keys.js';
import { RedisLockService, MemoryLockService, type LockService } from '../infra/locks.js';
import { createWeComLimiters, type WeComLimiters } from './rate-limits.js';
import { CONFIG_ERRCODES, WeComApiError, WeComConfigError, WeComHttpError } from './wecom-errors.js';

/** Timings; the defaults follow the contract. Tests shrink them. */
export interface WeComClientTiming {
  requestTimeoutMs: number;
  /** First backoff after -1 / a network error; doubles each retry. */
  retryBaseMs: number;
  /** Backoff after 45033 (too many concurrent calls). */
  concurrencyBackoffMs: number;
  /** How long a 45009 blocks the scope (minute-level limits block 60 s, §0.2). */
  frequencyBlockMs: number;
  /** Refresh the token this long before WeCom's `expires_in`. */
  tokenMarginMs: number;
  /**
   * How long a scope found unblocked is trusted without asking Redis again (per process). A 45009 another
   * worker recorded is seen here at most this late; one this process records is seen at once. 0: ask
   * before every call.
   */
  unblockedCacheMs: number;
}

export const DEFAULT_TIMING: WeComClientTiming = {
  requestTimeoutMs: 10_000,
  retryBaseMs: 500,
  concurrencyBackoffMs: 1_000,
  frequencyBlockMs: 60_000,
  tokenMarginMs: 5 * 60_000,
  unblockedCacheMs: 250,
};

export interface WeComClientDeps {
  /** `WECOM_API_BASE` (https://qyapi.weixin.qq.com, or the fake in tests). */
  apiBase: string;
  corpId: string;
  /** The secret of the app whose token this client uses (app secret or 微信客服 secret). */
  secret: string;
  /** The self-built app's AgentId (message/send, update_template_card). */
  agentId?: number;
  redis?: Redis;
  logger: Logger;
  /** Shared limiters; pass the same object to every client of a process. Created if absent. */
  limiters?: WeComLimiters;
  timing?: Partial<WeComClientTiming>;
  /** Observes every failed call attempt (metrics): the errcode, or 'http' when no usable answer came. */
  onApiError?: (api: string, errcode: number | 'http') => void;
}

type Json = Record<string, unknown>;

/** app message (§5). `agentid` is filled in from the client. */
export type AppMessage = {
  touser?: string;
  toparty?: string;
  totag?: string;
  safe?: 0 | 1 | 2;
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
} & (
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'textcard'; textcard: { title: string; description: string; url: string; btntxt?: string } }
  | { msgtype: 'template_card'; template_card: Json }
);

export interface AppSendResult {
  msgid?: string;
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  response_code?: string;
}

/** A 微信客服 message body (§7.3): text or msgmenu. */
export type KfMessageBody =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'msgmenu'; msgmenu: KfMenu };

export interface KfMenu {
  head_content?: string;
  list: (
    | { type: 'click'; click: { id: string; content: string } }
    | { type: 'view'; view: { url: string; content: string } }
    | { type: 'text'; text: { content: string } }
  )[];
  tail_content?: string;
}

/** A raw sync_msg item (only the fields we read). */
export interface KfSyncItem {
  msgid: string;
  open_kfid?: string;
  external_userid?: string;
  send_time?: number;
  origin?: number;
  servicer_userid?: string;
  msgtype: string;
  text?: { content?: string; menu_id?: string };
  image?: { media_id?: string };
  voice?: { media_id?: string };
  video?: { media_id?: string };
  file?: { media_id?: string };
  location?: { latitude?: number; longitude?: number; name?: string; address?: string };
  merged_msg?: { title?: string; item?: { send_time?: number; msgtype?: string; sender_name?: string; msg_content?: string }[] };
  event?: {
    event_type?: string;
    open_kfid?: string;
    external_userid?: string;
    welcome_code?: string;
    scene?: string;
    fail_msgid?: string;
    fail_type?: number;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface SyncMsgRequest {
  cursor?: string;
  token?: string;
  limit?: number;
  open_kfid: string;
}
export interface SyncMsgResponse {
  next_cursor: string;
  has_more: number;
  msg_list: KfSyncItem[];
}

/** Robot (webhook) messages (§8). */
export type RobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'template_card'; template_card: Json };

export interface WeComClient {
  /** A valid access token (cached; refreshed by one caller at a time). */
  getToken(): Promise<string>;
  /** Fetches a token once; throws {@link WeComConfigError} naming the bad setting. Call at start-up. */
  checkCredentials(): Promise<void>;
  /** POST a JSON API (`api` like `message/send`); returns the body when `errcode` is 0. */
  post<T = Json>(api: string, body: Json, opts?: CallOptions): Promise<T>;
  sendAppMessage(msg: AppMessage): Promise<AppSendResult>;
  /** Grey out or replace a template card (§6); `response_code` is single-use. */
  updateTemplateCard(body: Json): Promise<{ invaliduser?: string[] }>;
  kfSyncMsg(req: SyncMsgRequest): Promise<SyncMsgResponse>;
  kfSendMsg(req: { touser: string; open_kfid: string; msgid: string } & KfMessageBody): Promise<{ msgid: string }>;
  kfSendMsgOnEvent(req: { code: string; msgid: string } & KfMessageBody): Promise<{ msgid: string }>;
  /** A customer's session state (§7.5): 0 new, 1 bot, 2 queued, 3 a person (`servicer_userid`), 4 ended. */
  kfServiceStateGet(req: { open_kfid: string; external_userid: string }): Promise<{ service_state: number; servicer_userid?: string }>;
  /** Moves a customer's session (§7.5); state 3 needs a receiving `servicer_userid`. */
  kfServiceStateTrans(req: { open_kfid: string; external_userid: string; service_state: number; servicer_userid?: string }): Promise<{ msg_code?: string }>;
  /** Group robot webhook (no access token; the key is the credential). */
  webhookSend(robotKey: string, msg: RobotMessage): Promise<void>;
  /**
   * Downloads a temporary media (§7.6). Bytes past `maxBytes` are not read: the answer says `tooLarge`.
   * A JSON answer is WeCom's error ({@link WeComApiError}, e.g. 40007 for an unknown or expired media id).
   */
  mediaGet(mediaId: string, maxBytes: number): Promise<MediaDownload>;
  close(): Promise<void>;
}

/** A media file as WeCom served it: what it says it is (Content-Type, file name) and the bytes. */
export type MediaDownload =
  | { tooLarge: false; bytes: Buffer; contentType: string; filename?: string }
  | { tooLarge: true; contentType: string; filename?: string };

interface CallOptions {
  /** Scope a 45009 blocks (default `api:<api>`). */
  blockScope?: string;
  /** Which limiter the call goes through. */
  limit?: (fn: () => Promise<Json>) => Promise<Json>;
  /** Safe to resend after no answer (the call is idempotent or carries a msgid). Default true. */
  idempotent?: boolean;
  /** No access token (webhook). */
  query?: Record<string, string>;
  noToken?: boolean;
}

const MAX_BUSY_RETRIES = 3;
const MAX_LIMIT_RETRIES = 3;

interface TokenCache {
  get(): Promise<string | undefined>;
  set(token: string, ttlMs: number): Promise<void>;
  /** Drops the cached token only if it is still `token` (another worker may have refreshed already). */
  dropIf(token: string): Promise<void>;
}

const DROP_IF_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

function tokenCache(redis: Redis | undefined, key: string): TokenCache {
  if (redis) {
    // This process's copy of the shared token, trusted until the Redis copy expires (never longer): the
    // token and its PTTL are read together, so the copy cannot outlive what every worker would see.
    let local: { token: string; until: number } | undefined;
    return {
      get: async () => {
        if (local && local.until > Date.now()) return local.token;
        local = undefined;
        const read = await redis.multi().get(key).pttl(key).exec();
        const token = read?.[0]?.[1];
        const ttl = Number(read?.[1]?.[1] ?? -2);
        if (typeof token !== 'string') return undefined;
        if (ttl > 0) local = { token, until: Date.now() + ttl };
        return token;
      },
      set: async (t, ttl) => {
        const px = Math.max(1000, ttl);
        await redis.set(key, t, 'PX', px);
        local = { token: t, until: Date.now() + px };
      },
      dropIf: async (t) => {
        if (local?.token === t) local = undefined;
        await redis.eval(DROP_IF_SCRIPT, 1, key, t);
      },
    };
  }
  let cur: { token: string; until: number } | undefined;
  return {
    get: async () => (cur && cur.until > Date.now() ? cur.token : undefined),
    set: async (token, ttl) => void (cur = { token, until: Date.now() + ttl }),
    dropIf: async (t) => void (cur?.token === t ? (cur = undefined) : undefined),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Scopes this process found unblocked, until when, per limiters object (the app and 微信客服 clients of a
 * process share their limiters, and so this record: a block one of them records clears it for both).
 */
const unblockedSeen = new WeakMap<WeComLimiters, Map<string, number>>();

export function createWeComClient(deps: WeComClientDeps): WeComClient {
  const { corpId, secret, agentId, redis, logger } = deps;
  const base = deps.apiBase.replace(/\/+$/, '');
  const timing: WeComClientTiming = { ...DEFAULT_TIMING, ...deps.timing };
  const ownLimiters = deps.limiters ? undefined : createWeComLimiters({ redis, namespace: corpId });
  const limiters = deps.limiters ?? ownLimiters!;
  const secretHash = createHash('sha256').update(secret).digest('hex').slice(0, 16);
  const cache = tokenCache(redis, RedisKeys.accessToken(corpId, secretHash));
  const locks: LockService = redis ? new RedisLockService(redis) : new MemoryLockService();
  const log = logger.child({ component: 'wecom-api' });
  let refreshing: Promise<string> | undefined;
  let seen = unblockedSeen.get(limiters);
  if (!seen) unblockedSeen.set(limiters, (seen = new Map()));
  const unblocked = seen;

  /**
   * Waits out a 45009 block of `scope`. Asking Redis (PTTL) before every call was one round trip per
   * call; a scope found unblocked is trusted for `unblockedCacheMs`. Why that is safe: a block is only
   * recorded after WeCom answered 45009, i.e. WeCom itself refuses the scope; a call this process lets
   * through in the (at most `unblockedCacheMs`) before it sees another worker's block is answered 45009
   * too, and then waits out the block like the first one (nothing is lost or sent twice: a refused call
   * was not carried out). A block this process records is seen by its next call at once.
   */
  async function whenUnblocked(scope: string): Promise<void> {
    const until = unblocked.get(scope);
    if (until !== undefined && until > Date.now()) return;
    await limiters.whenUnblocked(scope);
    if (timing.unblockedCacheMs <= 0) return;
    if (unblocked.size >= 10_000) {
      const now = Date.now();
      for (const [k, t] of unblocked) if (t <= now) unblocked.delete(k);
    }
    unblocked.set(scope, Date.now() + timing.unblockedCacheMs);
  }

  // undici (the engine behind Node's fetch) used directly: its request API costs a fraction of fetch's CPU
  // per call (no WHATWG streams), and its keep-alive agent follows the server's keep-alive hints.
  const agent = new Agent({ keepAliveTimeout: 4_000, connections: 64 });

  async function httpJson(api: string, url: string, init: { method: 'GET' | 'POST'; body?: string }): Promise<Json> {
    let res: { status: number; text: string };
    try {
      const r = await request(url, {
        method: init.method,
        dispatcher: agent,
        ...(init.body === undefined ? {} : { body: init.body, headers: { 'content-type': 'application/json' } }),
        // Covers the whole exchange.
        signal: AbortSignal.timeout(timing.requestTimeoutMs),
      });
      res = { status: r.statusCode, text: await r.body.text() };
    } catch (err) {
      throw new WeComHttpError(api, `no answer (${(err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message})`);
    }
    if (res.status !== 200) throw new WeComHttpError(api, `HTTP ${res.status}`, res.status);
    try {
      const body = JSON.parse(res.text) as Json;
      if (body === null || typeof body !== 'object') throw new Error('not an object');
      if (typeof body.errcode !== 'number' && body.errcode !== undefined) throw new Error('errcode is not a number');
      return body;
    } catch (err) {
      throw new WeComHttpError(api, `answer is not WeCom JSON (${(err as Error).message})`, res.status);
    }
  }

  /** Retries a raw call per the contract's rules for -1, 45009, 45033 and no answer. */
  async function withRetries(api: string, opts: CallOptions, once: () => Promise<Json>): Promise<Json> {
    const scope = opts.blockScope ?? `api:${api}`;
    let busy = 0;
    let limited = 0;
    for (;;) {
      await whenUnblocked(scope);
      let body: Json;
      try {
        body = await (opts.limit ?? ((fn) => limiters.api(api, fn)))(once);
      } catch (err) {
        if (err instanceof WeComHttpError) deps.onApiError?.(api, 'http');
        if (err instanceof WeComHttpError && opts.idempotent !== false && busy < MAX_BUSY_RETRIES) {
          log.warn({ api, attempt: busy + 1, err: err.message }, 'WeCom did not answer; retrying');
          await sleep(timing.retryBaseMs * 2 ** busy++);
          continue;
        }
        throw err;
      }
      const errcode = (body.errcode as number | undefined) ?? 0;
      if (errcode === 0) return body;
      deps.onApiError?.(api, errcode);
      const errmsg = String(body.errmsg ?? '');
      if (CONFIG_ERRCODES.has(errcode)) {
        const e = new WeComConfigError(api, errcode, errmsg);
        log.error({ api, errcode }, e.message);
        throw e;
      }
      if (errcode === -1 && busy < MAX_BUSY_RETRIES) {
        log.warn({ api, attempt: busy + 1 }, 'WeCom busy (-1); retrying');
        await sleep(timing.retryBaseMs * 2 ** busy++);
        continue;
      }
      if (errcode === 45009 && limited < MAX_LIMIT_RETRIES) {
        limited++;
        log.warn({ api, scope, blockMs: timing.frequencyBlockMs }, 'WeCom frequency limit (45009); waiting out the block');
        unblocked.delete(scope);
        await limiters.block(scope, timing.frequencyBlockMs);
        unblocked.delete(scope);
        continue;
      }
      if (errcode === 45033 && limited < MAX_LIMIT_RETRIES) {
        limited++;
        await sleep(timing.concurrencyBackoffMs * limited * (0.5 + Math.random()));
        continue;
      }
      throw new WeComApiError(api, errcode, errmsg);
    }
  }

  async function fetchToken(): Promise<string> {
    const url = `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`;
    const body = await withRetries('gettoken', {}, () => httpJson('gettoken', url, { method: 'GET' }));
    const token = body.access_token;
    const expiresIn = Number(body.expires_in ?? 7200);
    if (typeof token !== 'string' || !token) throw new WeComHttpError('gettoken', 'answer carries no access_token');
    await cache.set(token, expiresIn * 1000 - Math.min(timing.tokenMarginMs, (expiresIn * 1000) / 2));
    log.info({ expiresIn }, 'WeCom access token refreshed');
    return token;
  }

  async function refreshShared(): Promise<string> {
    const lockKey = RedisKeys.accessTokenLock(corpId, secretHash);
    const lease = await locks.acquire(lockKey, RedisTtls.accessTokenLock * 1000, RedisTtls.accessTokenLock * 1000);
    try {
      // Another worker may have refreshed while we waited for the lock.
      const cached = await cache.get();
      if (cached) return cached;
      return await fetchToken();
    } finally {
      await lease?.release();
    }
  }

  async function getToken(): Promise<string> {
    const cached = await cache.get();
    if (cached) return cached;
    refreshing ??= refreshShared().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function post<T>(api: string, payload: Json, opts: CallOptions = {}): Promise<T> {
    let tokenRetried = false;
    for (;;) {
      const token = opts.noToken ? undefined : await getToken();
      const qs = new URLSearchParams({ ...(token ? { access_token: token } : {}), ...opts.query });
      const url = `${base}/cgi-bin/${api}?${qs.toString()}`;
      const body = JSON.stringify(payload);
      try {
        return (await withRetries(api, opts, () =>
          httpJson(api, url, { method: 'POST', body }),
        )) as T;
      } catch (err) {
        if (token && !tokenRetried && err instanceof WeComApiError && (err.errcode === 40014 || err.errcode === 42001)) {
          tokenRetried = true;
          log.info({ api, errcode: err.errcode }, 'access token rejected; refreshing and retrying once');
          await cache.dropIf(token);
          continue;
        }
        throw err;
      }
    }
  }

  const members = (touser: string | undefined) => (touser && touser !== '@all' ? touser.split('|').filter(Boolean) : []);

  return {
    getToken,
    async checkCredentials() {
      await getToken();
    },
    post,
    async sendAppMessage(msg) {
      const to = members(msg.touser);
      const r = await post<AppSendResult>('message/send', { ...msg, agentid: agentId }, {
        // message/send does not count toward the per-API frequency; only per-member limits apply.
        limit: (fn) => limiters.appMessage(to, fn),
        blockScope: to.length === 1 ? `member:${to[0]}` : 'api:message/send',
        idempotent: false,
      });
      return r;
    },
    updateTemplateCard: (body) => post('message/update_template_card', { agentid: agentId, ...body }),
    async kfSyncMsg(req) {
      const r = await post<Partial<SyncMsgResponse>>('kf/sync_msg', { limit: 1000, ...req }, {
        limit: (fn) => limiters.kfSync(Boolean(req.token), fn),
        blockScope: req.token ? 'kf:sync' : 'kf:sync-notoken',
      });
      return { next_cursor: r.next_cursor ?? req.cursor ?? '', has_more: Number(r.has_more ?? 0), msg_list: r.msg_list ?? [] };
    },
    kfSendMsg: (req) => post('kf/send_msg', req as unknown as Json),
    kfSendMsgOnEvent: (req) => post('kf/send_msg_on_event', req as unknown as Json),
    kfServiceStateGet: (req) => post('kf/service_state/get', req as unknown as Json),
    // A hand-over is not repeated on a timeout: the citizen is given the contact instead.
    kfServiceStateTrans: (req) => post('kf/service_state/trans', req as unknown as Json, { idempotent: false }),
    async webhookSend(robotKey, msg) {
      await post('webhook/send', msg as unknown as Json, {
        noToken: true,
        query: { key: robotKey },
        limit: (fn) => limiters.robot(robotKey, fn),
        blockScope: `robot:${createHash('sha256').update(robotKey).digest('hex').slice(0, 16)}`,
        idempotent: false,
      });
    },
    async mediaGet(mediaId, maxBytes) {
      let tokenRetried = false;
      for (;;) {
        const token = await getToken();
        const url = `${base}/cgi-bin/media/get?${new URLSearchParams({ access_token: token, media_id: mediaId }).toString()}`;
        const once = async (): Promise<Json> => {
          let r;
          try {
            r = await request(url, { method: 'GET', dispatcher: agent, signal: AbortSignal.timeout(Math.max(timing.requestTimeoutMs, 30_000)) });
          } catch (err) {
            throw new WeComHttpError('media/get', `no answer (${(err as Error).message})`);
          }
          if (r.statusCode !== 200) {
            await r.body.dump();
            throw new WeComHttpError('media/get', `HTTP ${r.statusCode}`, r.statusCode);
          }
          const type = String(r.headers['content-type'] ?? 'application/octet-stream');
          const disposition = String(r.headers['content-disposition'] ?? '');
          const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
          const filename = named ? safeDecode(named) : undefined;
          // Errors come as JSON; the file itself with its own type (§7.6): told apart by content type.
          if (/^(application|text)\/(json|plain)/i.test(type)) {
            const text = await r.body.text();
            try {
              return JSON.parse(text) as Json;
            } catch {
              if (/json/i.test(type)) throw new WeComHttpError('media/get', 'answer is not WeCom JSON');
              return { errcode: 0, __file: { bytes: Buffer.from(text), contentType: type, filename } } as unknown as Json;
            }
          }
          const parts: Buffer[] = [];
          let size = 0;
          for await (const chunk of r.body) {
            size += (chunk as Buffer).length;
            if (size > maxBytes) {
              r.body.destroy();
              return { errcode: 0, __file: { tooLarge: true, contentType: type, filename } } as unknown as Json;
            }
            parts.push(chunk as Buffer);
          }
          return { errcode: 0, __file: { bytes: Buffer.concat(parts), contentType: type, filename } } as unknown as Json;
        };
        try {
          const body = await withRetries('media/get', {}, once);
          const file = (body as unknown as { __file: { tooLarge?: boolean; bytes?: Buffer; contentType: string; filename?: string } }).__file;
          if (file.tooLarge) return { tooLarge: true, contentType: file.contentType, ...(file.filename ? { filename: file.filename } : {}) };
          return { tooLarge: false, bytes: file.bytes!, contentType: file.contentType, ...(file.filename ? { filename: file.filename } : {}) };
        } catch (err) {
          if (!tokenRetried && err instanceof WeComApiError && (err.errcode === 40014 || err.errcode === 42001)) {
            tokenRetried = true;
            await cache.dropIf(token);
            continue;
          }
          throw err;
        }
      }
    },
    async close() {
      await agent.close();
      await ownLimiters?.close();
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
