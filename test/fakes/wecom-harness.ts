/**
 * Runs the bot's WeCom routes on a real HTTP port against the fake WeCom, with the env a deployment would
 * set (WECOM_* pointing at the fake). Several workers may share one Redis.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { ConversationHandler } from '../../src/conversation/message-port.js';
import { registerWeComRoutes, type TemplateCardHandler, type WeComInbound, type WeComRoutesDeps } from '../../src/channels/wecom/index.js';
import { createWeComApi, type WeComApi, type WeComApiDeps } from '../../src/wecom-api/index.js';
import { fixedClock, type Clock } from '../../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';
import { MemoryDedupeStore, RedisDedupeStore } from '../../src/infra/dedupe.js';
import { MemoryLockService, RedisLockService } from '../../src/infra/locks.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { FakeWeCom } from './fake-wecom-server.js';

export interface BotWorker {
  url: string;
  app: FastifyInstance;
  /** WeCom's outbound clients and the inbound routes of this worker; card clicks go to the handlers registered here. */
  wecom: WeComApi & WeComInbound & { onTemplateCardEvent(handler: TemplateCardHandler): void };
  config: Readonly<AppConfig>;
  close(): Promise<void>;
}

export const TEST_MEMBERS: AppConfig['members'] = [
  { userid: 'agent_wang', name: '王青', role: 'agent', unit: 'xfb' },
  { userid: 'unit_li', name: '李四', role: 'unit', unit: 'fgw' },
];

/** Fast windows for tests: the contract's counts, with a 1-second "minute". */
export const FAST = {
  limits: { minuteMs: 1_000, hourMs: 60_000, heartbeatMs: 20 },
  timing: { retryBaseMs: 20, concurrencyBackoffMs: 20, frequencyBlockMs: 300, requestTimeoutMs: 1_000 },
} satisfies Pick<WeComApiDeps, 'limits' | 'timing'>;

export async function startBot(
  fake: FakeWeCom,
  opts: {
    conversation: ConversationHandler;
    redisUrl?: string;
    clock?: Clock;
    env?: Record<string, string>;
    kfWindow?: WeComApiDeps['kfWindow'];
    setBot?: boolean;
    /** The one directory of people (src/agents); built from `config` when a test passes a factory. */
    people?: (config: Readonly<AppConfig>) => NonNullable<WeComRoutesDeps['people']>;
    /** The bot's WeCom limits, over FAST's (e.g. a member's per-minute count). */
    limits?: WeComApiDeps['limits'];
    /** Changes to the test config (units, agents). */
    configure?: (config: AppConfig) => AppConfig;
  },
): Promise<BotWorker> {
  const base = loadTestConfig({
    ...fake.botEnv(),
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    ...opts.env,
  });
  const config = Object.freeze((opts.configure ?? ((c) => c))({ ...base, members: TEST_MEMBERS }));
  const redis = opts.redisUrl ? new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  redis?.on('error', () => undefined);
  const app = Fastify();
  const api = createWeComApi({ config, clock: opts.clock, logger: silentLogger, redis, ...FAST, limits: { ...FAST.limits, ...opts.limits }, kfWindow: opts.kfWindow });
  const cardHandlers: TemplateCardHandler[] = [];
  const inbound = registerWeComRoutes(app, {
    config,
    logger: silentLogger,
    api,
    conversation: opts.conversation,
    onTemplateCardEvent: async (ev) => {
      for (const h of cardHandlers) await h(ev);
    },
    locks: redis ? new RedisLockService(redis) : new MemoryLockService(),
    dedupe: redis ? new RedisDedupeStore(redis) : new MemoryDedupeStore(),
    clock: opts.clock ?? fixedClock('2021-07-01T10:00:00+08:00'),
    cardRetryDelaysMs: [20, 40],
    ...(opts.people ? { people: opts.people(config) } : {}),
  });
  const wecom = { ...api, ...inbound, onTemplateCardEvent: (h: TemplateCardHandler) => void cardHandlers.push(h) };
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  if (opts.setBot !== false) fake.setBot(url);
  return {
    url,
    app,
    wecom,
    config,
    async close() {
      await inbound.drain();
      await api.close();
      await app.close();
      redis?.disconnect();
    },
  };
}

/** A recording ConversationHandler for channel-level tests: answers "收到：<text>" with optional options. */
export function echoHandler(reply: (text: string) => { text: string; options?: { id: string; label: string }[] }[] = (t) => [{ text: `收到：${t}` }]) {
  const seen: { senderId: string; text: string; optionId?: string; role?: string; messageId: string; channel: string }[] = [];
  const handler: ConversationHandler = {
    async handle(m) {
      seen.push({ senderId: m.senderId, text: m.text, optionId: m.optionId, role: m.role, messageId: m.messageId, channel: m.channel });
      return { replies: reply(m.optionId ?? m.text), state: 'echo' };
    },
  };
  return { handler, seen };
}
