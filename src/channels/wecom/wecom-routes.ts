/**
 * WeCom callback routes and the wiring of both WeCom channels (DESIGN.md: `GET|POST /wecom/callback` for the
 * app, `GET|POST /wecom/kf/callback` for 微信客服). Both URLs verify and decrypt the same way; a
 * `kf_msg_or_event` is honoured on either, since WeCom delivers it to the bound app's URL.
 *
 * POST: signature checked in constant time, body decrypted, receive id checked, XML parsed, then HTTP 200
 * with an empty body at once; the work happens afterwards on an in-process queue (`drain()` awaits it).
 * Anything that fails a check gets a 4xx, is logged without its payload, and is not processed.
 *
 * @example
 * const api = createWeComApi({ config, logger, redis });                 // src/wecom-api, built early
 * const inbound = registerWeComRoutes(app, { config, logger, api, conversation, locks, dedupe, clock,
 *   onTemplateCardEvent: (ev) => handling.handleCardEvent(ev) });
 * await app.listen({ port });
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../infra/config.js';
import type { Clock } from '../../infra/clock.js';
import type { DedupeStore } from '../../infra/dedupe.js';
import type { LockService } from '../../infra/locks.js';
import type { Logger } from '../../infra/logger.js';
import type { ConversationHandler } from '../../conversation/message-port.js';
import { createAppChannel, type AppChannelDeps, type TemplateCardHandler } from './app-channel.js';
import { openCallback, verifyUrl, type CallbackSecrets, type SignedQuery } from './callback-crypto.js';
import { createKfChannel } from './kf-channel.js';
import { createKfPuller } from './kf-sync.js';
import { parseAppCallback } from './message-parser.js';
import type { WeComApi } from '../../wecom-api/index.js';
import { defaultWeComTexts } from '../../../flows/texts/channels.js';
import { createWorkQueue } from './work-queue.js';

/** Largest callback body accepted; a real one is well under 4 KB. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

/** Rejected-callback log lines per reason per minute; the rest are counted, not written. */
export const REJECTION_LOG_LINES_PER_MINUTE = 10;

/**
 * A per-key log throttle: `allow(key)` is false when the line should be left out, else the number of
 * lines left out since the last one written (0 when none).
 */
export function createLogThrottle(perWindow: number, windowMs: number, now: () => number = Date.now): (key: string) => number | false {
  const windows = new Map<string, { start: number; count: number; suppressed: number }>();
  return (key) => {
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= windowMs) {
      const suppressed = w?.suppressed ?? 0;
      if (windows.size > 1000) windows.clear();
      w = { start: t, count: 0, suppressed };
      windows.set(key, w);
    }
    if (w.count >= perWindow) {
      w.suppressed++;
      return false;
    }
    w.count++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return suppressed;
  };
}

export interface WeComRoutesDeps {
  config: Readonly<AppConfig>;
  logger: Logger;
  /** WeCom's outbound clients (src/wecom-api). */
  api: WeComApi;
  conversation: ConversationHandler;
  /** Who handles a unit member's click on a handling card (受理 / 退回). */
  onTemplateCardEvent: TemplateCardHandler;
  locks: LockService;
  dedupe: DedupeStore;
  /** The service clock (campaign time), used for `receivedAt`. WeCom timestamps use real time. */
  clock: Clock;
  /** Tests: WeCom's "now" in ms (callback skew, reply window, code validity). Default Date.now. */
  wecomNow?: () => number;
  /** Waits between retries of a card click whose handler failed (e.g. storage down); tests shorten them. */
  cardRetryDelaysMs?: readonly number[];
  /** The one directory of people (src/agents): who an app member is. Without it, only `members`. */
  people?: AppChannelDeps['people'];
}

export interface WeComInbound {
  /**
   * Pulls each configured kf account (WECOM_KF_OPEN_KFIDS) once, without a callback token: picks up
   * messages whose callback reached a worker that died before pulling, or arrived while none ran.
   */
  pullConfiguredAccounts(): void;
  /** Resolves when every acknowledged callback has been fully processed. */
  drain(): Promise<void>;
}

/** Registers `/wecom/callback` and `/wecom/kf/callback` (GET and POST). */
export function registerWeComRoutes(app: FastifyInstance, deps: WeComRoutesDeps): WeComInbound {
  const { config, logger, api, locks, dedupe, clock } = deps;
  const env = config.env;
  if (!env.WECOM_CORP_ID || !env.WECOM_TOKEN || !env.WECOM_AES_KEY) {
    throw new Error('WeCom routes need WECOM_CORP_ID, WECOM_TOKEN and WECOM_AES_KEY');
  }
  const secrets: CallbackSecrets = { corpId: env.WECOM_CORP_ID, token: env.WECOM_TOKEN, aesKey: env.WECOM_AES_KEY };
  const wecomNow = deps.wecomNow ?? Date.now;
  const log = logger.child({ component: 'wecom' });
  const texts = { ...defaultWeComTexts, ...config.wecom?.texts };
  const { openKfIds } = api;
  const kf = createKfChannel({
    handoff: { port: api.kfHandoff, store: api.kfStore },
    conversation: deps.conversation,
    outbox: api.kfOutbox,
    client: api.kfClient,
    dedupe,
    texts,
    logger,
    clock,
    now: wecomNow,
    openKfIds,
  });
  const puller = createKfPuller({ client: api.kfClient, store: api.kfStore, locks, logger, onPage: kf.handlePage });
  const appChannel = createAppChannel({
    conversation: deps.conversation,
    client: api.appClient,
    dedupe,
    members: config.members,
    ...(deps.people ? { people: deps.people } : {}),
    texts,
    logger,
    clock,
    replyFormat: config.wecom?.appReplyFormat,
    onTemplateCardEvent: deps.onTemplateCardEvent,
    ...(deps.cardRetryDelaysMs ? { cardRetryDelaysMs: deps.cardRetryDelaysMs } : {}),
  });
  const queue = createWorkQueue(log);
  // kf pulls are not serialised by the queue: the puller coalesces them (a callback arriving while this
  // process pulls the account only leaves a request for the running pull, which keeps fetching).
  let kfCallbacks = 0;

  const verifyOpts = () => ({ nowSeconds: Math.floor(wecomNow() / 1000), maxSkewSeconds: env.WECOM_CALLBACK_MAX_SKEW_SECONDS });

  const rejectionLog = createLogThrottle(REJECTION_LOG_LINES_PER_MINUTE, 60_000);
  function reject(req: FastifyRequest, reply: FastifyReply, reason: string) {
    // Logged without query or body: they carry the ciphertext and the sender. A flood of rejections writes
    // a few lines a minute per reason, each saying how many were left out before it.
    const suppressed = rejectionLog(reason);
    if (suppressed !== false) log.warn({ route: req.routeOptions.url, method: req.method, reason, ip: req.ip, ...(suppressed ? { suppressedSinceLast: suppressed } : {}) }, 'WeCom callback rejected');
    return reply.status(reason === 'malformed_body' || reason === 'missing_params' || reason === 'duplicate_params' ? 400 : 403).type('text/plain').send('');
  }

  const onGet = async (req: FastifyRequest, reply: FastifyReply) => {
    const r = verifyUrl(secrets, req.query as SignedQuery, verifyOpts());
    if (!r.ok) return reject(req, reply, r.reason);
    return reply.status(200).type('text/plain; charset=utf-8').send(r.value);
  };

  const onPost = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const r = openCallback(secrets, req.query as SignedQuery, body, verifyOpts());
    if (!r.ok) return reject(req, reply, r.reason);
    const cb = parseAppCallback(r.value);
    if (cb.kind === 'kf_msg_or_event') {
      queue.push(`kf:${cb.openKfId}:${++kfCallbacks}`, () => puller.pull(cb.openKfId, cb.token));
    } else {
      const sender = cb.kind === 'template_card' ? cb.event.from : cb.from;
      queue.push(`app:${sender ?? ''}`, () => appChannel.handle(cb));
    }
    return reply.status(200).type('text/plain').send('');
  };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT }, (_req, text, done) => done(null, text));
    for (const url of ['/wecom/callback', '/wecom/kf/callback']) {
      scope.get(url, onGet);
      scope.post(url, { bodyLimit: CALLBACK_BODY_LIMIT }, onPost);
    }
  });

  return {
    pullConfiguredAccounts() {
      for (const id of openKfIds) queue.push(`kf:${id}`, () => puller.pull(id, undefined));
    },
    drain: () => queue.drain(),
  };
}
