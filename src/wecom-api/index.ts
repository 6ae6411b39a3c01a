/**
 * WeCom's outbound side, built once at start-up and knowing nothing of the conversation: the API clients
 * (access tokens, every API call, WeCom's per-corp, per-app and per-member limits), and the 微信客服 outbox
 * that sends a citizen's replies or keeps them when the reply window is closed. The handling part's
 * senders and the inbound callback routes (src/channels/wecom) both use what this returns.
 *
 * @example
 *   const wecom = createWeComApi({ config, logger, redis });
 *   await wecom.checkCredentials();
 *   await wecom.appClient.sendAppMessage({ touser: 'zhangsan', msgtype: 'text', text: { content: '…' } });
 *   await wecom.close();
 */
import type { AppConfig } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Redis } from '../infra/redis.js';
import { createKfOutbox, type KfOutbox } from './kf-outbox.js';
import { MemoryKfStore, RedisKfStore, type KfStore } from './kf-store.js';
import { createWeComLimiters, type WeComLimiters, type WeComLimitSettings } from './rate-limits.js';
import { createWeComClient, type WeComClient, type WeComClientTiming } from './wecom-api-client.js';

export { createWeComClient, type WeComClient, type WeComClientDeps, type AppMessage, type KfMessageBody, type RobotMessage } from './wecom-api-client.js';
export { WeComApiError, WeComConfigError, WeComHttpError } from './wecom-errors.js';
export type { KfOutbox, KfCustomer } from './kf-outbox.js';
export type { KfStore } from './kf-store.js';

export interface WeComApiDeps {
  config: Readonly<Pick<AppConfig, 'env'>>;
  logger: Logger;
  redis?: Redis;
  /** Tests: WeCom's "now" in ms (reply window, cursor expiry). Default Date.now. */
  wecomNow?: () => number;
  /** Tests: shrink the contract's windows and timings. */
  limits?: Partial<WeComLimitSettings>;
  timing?: Partial<WeComClientTiming>;
  kfWindow?: { maxMessages?: number; windowMs?: number };
  /** Observes failed WeCom API calls (metrics). */
  onApiError?: (api: string, errcode: number | 'http') => void;
}

export interface WeComApi {
  /** API client of the self-built app (message/send, update_template_card, webhook). */
  appClient: WeComClient;
  /** API client of 微信客服 (its own secret when `WECOM_KF_SECRET` is set, else the app's). */
  kfClient: WeComClient;
  /** "Send or keep" for citizens on 微信客服. */
  kfOutbox: KfOutbox;
  /** 微信客服 cursors and reply windows (Redis when configured). */
  kfStore: KfStore;
  limiters: WeComLimiters;
  /** The configured 微信客服 accounts (WECOM_KF_OPEN_KFIDS). */
  openKfIds: string[];
  /** Fetches both tokens once; throws WeComConfigError naming a bad secret / corp id / IP. */
  checkCredentials(): Promise<void>;
  /** Releases the limiters. */
  close(): Promise<void>;
}

export function createWeComApi(deps: WeComApiDeps): WeComApi {
  const { env } = deps.config;
  if (!env.WECOM_CORP_ID) throw new Error('The WeCom API needs WECOM_CORP_ID');
  if (!env.WECOM_SECRET) throw new Error('The WeCom API needs WECOM_SECRET (the self-built app secret)');
  const wecomNow = deps.wecomNow ?? Date.now;
  const { redis, logger } = deps;
  const limiters = createWeComLimiters({ redis, namespace: env.WECOM_CORP_ID, settings: deps.limits });
  const clientBase = { apiBase: env.WECOM_API_BASE, corpId: env.WECOM_CORP_ID, agentId: env.WECOM_AGENT_ID, redis, logger, limiters, timing: deps.timing, onApiError: deps.onApiError };
  const appClient = createWeComClient({ ...clientBase, secret: env.WECOM_SECRET });
  const kfClient = env.WECOM_KF_SECRET && env.WECOM_KF_SECRET !== env.WECOM_SECRET ? createWeComClient({ ...clientBase, secret: env.WECOM_KF_SECRET }) : appClient;
  const kfStore: KfStore = redis ? new RedisKfStore(redis) : new MemoryKfStore({ now: wecomNow });
  const kfOutbox = createKfOutbox({ client: kfClient, store: kfStore, logger, now: wecomNow, window: deps.kfWindow });
  return {
    appClient,
    kfClient,
    kfOutbox,
    kfStore,
    limiters,
    openKfIds: env.WECOM_KF_OPEN_KFIDS?.split(',').map((x) => x.trim()).filter(Boolean) ?? [],
    async checkCredentials() {
      await appClient.checkCredentials();
      if (kfClient !== appClient) await kfClient.checkCredentials();
    },
    close: () => limiters.close(),
  };
}
