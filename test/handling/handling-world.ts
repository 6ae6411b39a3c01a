/**
 * A handling world for tests: the real suggestion and handling services on the embedded MongoDB, the bot's
 * WeCom routes against the fake WeCom, the real notifiers and dispatcher. Citizens write over 微信客服,
 * unit members click cards and answer in the app, exactly as they would in production.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import mongoose, { type Connection } from 'mongoose';
import type { ConversationHandler } from '../../src/conversation/message-port.js';
import { MemorySessionStore } from '../../src/conversation/memory-session-store.js';
import { fixedClock } from '../../src/infra/clock.js';
import { loadTestConfig, type AppConfig } from '../../src/infra/config.js';
import { MemoryLockService, type LockService } from '../../src/infra/locks.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createCitizenNotifier, kfSenderFromOutbox } from '../../src/notifications/citizen-notifier.js';
import { createDeadlineScheduler } from '../../src/handling/deadline-scheduler.js';
import { createDispatcher, type Dispatcher } from '../../src/notifications/dispatcher.js';
import { createGroupRobotNotifier } from '../../src/notifications/group-robot-notifier.js';
import { createHandlingConversation } from '../../src/conversation/handling-conversation.js';
import { createNoticeStore } from '../../src/notifications/notice-store.js';
import type { Notifiers } from '../../src/notifications/notifier.js';
import { createWeComCardNotifier } from '../../src/notifications/wecom-card-notifier.js';
import { createSubmission } from '../../src/handling/submission.js';
import { createHandlingService } from '../../src/handling/handling-service.js';
import { createSuggestionModels } from '../../src/suggestions/suggestion-model.js';
import { createSuggestionService } from '../../src/suggestions/suggestion-service.js';
import type { SuggestionSubmission } from '../../src/domain/suggestion-types.js';
import { startFakeWeCom, type FakeWeCom } from '../fakes/fake-wecom-server.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';
import { startBot, TEST_MEMBERS, type BotWorker } from '../fakes/wecom-harness.js';

export const OPEN_KFID = 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw';
export const CITIZEN = 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw';

/** The default config with handlers and robots for the office and 区发展改革委. */
export function handlingConfig(over: Partial<AppConfig> = {}): AppConfig {
  const base = loadTestConfig();
  const units = base.units.map((u) =>
    u.id === 'xfb' ? { ...u, wecomUserIds: ['office_chen'], robotKey: 'robot-xfb' } : u.id === 'fgw' ? { ...u, wecomUserIds: ['unit_li', 'unit_zhao'], robotKey: 'robot-fgw' } : u,
  );
  return { ...base, units, members: TEST_MEMBERS, ...over };
}

export function submission(over: Partial<SuggestionSubmission> = {}): SuggestionSubmission {
  return {
    submissionKey: randomUUID(),
    campaign: 'wz2021',
    theme: 'chengyu_economic_circle',
    category: 'work',
    title: '推进万达开川渝统筹发展示范区建设',
    proposal: '建议与达州、开州共建物流枢纽，统一通关标准，开通万州至达州城际公交，方便两地群众往来。',
    feasibility: '可依托现有高速公路和港口，由区发展改革委牵头对接。',
    proposer: { name: '张志刚', phone: '13812345678', unit: '万州区某公司' },
    citizen: { channel: 'wecom-kf', id: CITIZEN },
    ...over,
  };
}

export interface WorldOptions {
  mongoUri: string;
  fake: FakeWeCom;
  config?: AppConfig;
  redisUrl?: string;
  now?: string;
  /** Share the database of another world (a second worker). */
  dbName?: string;
  locks?: LockService;
  maxAttempts?: number;
  /** The bot's WeCom limits, over the harness's fast ones. */
  limits?: Parameters<typeof startBot>[1]['limits'];
}

export async function startWorld(opts: WorldOptions) {
  const config = opts.config ?? handlingConfig();
  const clock = fixedClock(opts.now ?? '2021-07-01T10:00:00+08:00');
  const dbName = opts.dbName ?? `h${randomUUID().slice(0, 8)}`;
  const conn: Connection = mongoose.createConnection(`${opts.mongoUri.replace(/\/$/, '')}/${dbName}`);
  await conn.asPromise();
  const models = createSuggestionModels(conn);
  await models.Suggestion.init();
  const suggestions = createSuggestionService({ models, clock, config });
  const handling = createHandlingService({ models, clock, config });
  const notices = createNoticeStore(conn, clock);
  const handlingChat = createHandlingConversation({ handling, sessions: new MemorySessionStore(), notices, logger: silentLogger });
  const engineSeen: string[] = [];
  const engine: ConversationHandler = {
    async handle(m) {
      engineSeen.push(m.text);
      return { replies: [{ text: `收到：${m.text}` }], state: 'echo' };
    },
  };
  const bot: BotWorker = await startBot(opts.fake, { conversation: handlingChat.wrap(engine), clock, ...(opts.redisUrl ? { redisUrl: opts.redisUrl } : {}), ...(opts.limits ? { limits: opts.limits } : {}) });
  bot.wecom.onTemplateCardEvent(async (ev) => {
    await handling.handleCardEvent(ev);
  });
  const notifiers = (): Notifiers => {
    const card = createWeComCardNotifier(bot.wecom.appClient);
    return {
      unit_card: card,
      unit_text: card,
      card_update: card,
      robot_markdown: createGroupRobotNotifier({ api: bot.wecom.appClient, robotKey: handling.directory.robotKey }),
      citizen_notice: createCitizenNotifier({ notices, kf: kfSenderFromOutbox(bot.wecom.kfOutbox), app: bot.wecom.appClient }),
    };
  };
  const dispatcher = (workerId = randomUUID().slice(0, 8), n: Notifiers = notifiers()): Dispatcher =>
    createDispatcher({
      models,
      notifiers: n,
      clock,
      logger: silentLogger,
      workerId,
      options: { ...config.notifications, ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}) },
    });
  const deadlines = createDeadlineScheduler({ handling, models, clock, locks: opts.locks ?? new MemoryLockService(), logger: silentLogger, config });
  const routed = createSubmission({ suggestions, handling, logger: silentLogger });
  return {
    config,
    clock,
    conn,
    dbName,
    models,
    suggestions,
    handling,
    notices,
    bot,
    engineSeen,
    engine,
    handlingChat,
    notifiers,
    dispatcher,
    deadlines,
    /** Stores a suggestion the way the conversation does, and routes it. */
    async submit(over: Partial<SuggestionSubmission> = {}) {
      return (await routed.submit(submission(over))).reference;
    },
    async doc(reference: string) {
      return (await models.Suggestion.findOne({ reference }).lean())!;
    },
    /** The citizen writes over 微信客服 and the bot pulls and answers it. */
    async citizenSays(text: string, menuId?: string) {
      opts.fake.customerSays(OPEN_KFID, CITIZEN, text, menuId);
      await opts.fake.notifyKf(OPEN_KFID);
      await bot.wecom.drain();
    },
    async memberSays(userid: string, text: string) {
      await opts.fake.memberSays(userid, text);
      await bot.wecom.drain();
    },
    async clicks(userid: string, taskId: string, key: 'accept' | 'return') {
      const r = await opts.fake.memberClicksCard(userid, taskId, key);
      await bot.wecom.drain();
      return r;
    },
    async close() {
      await bot.close();
      await conn.close();
    },
  };
}
export type World = Awaited<ReturnType<typeof startWorld>>;

/** Texts of app messages a member received (text bodies), in order. */
export function appTextsTo(fake: FakeWeCom, userid: string): string[] {
  return fake.appDelivered
    .filter((d) => d.touser === userid && d.body.msgtype === 'text')
    .map((d) => (d.body.text as { content: string }).content);
}
export function cardsTo(fake: FakeWeCom, userid: string): Record<string, any>[] {
  return fake.appDelivered.filter((d) => d.touser === userid && d.body.msgtype === 'template_card').map((d) => d.body.template_card as Record<string, any>);
}

/**
 * The usual hooks of a handling test file: one embedded MongoDB for the file, and for each test a fresh
 * fake WeCom (with `robots` registered) and a fresh world on its own database. Read `fake` and `w` inside
 * tests (they change from test to test).
 *
 * @example
 * const h = useHandlingWorld({ robots: ['robot-fgw'] });
 * test('…', async () => { const ref = await h.w.submit(); expect(h.fake.appDelivered).toHaveLength(0); });
 */
export function useHandlingWorld(opts: { robots?: string[]; world?: () => Partial<Omit<WorldOptions, 'mongoUri' | 'fake'>> } = {}): { readonly fake: FakeWeCom; readonly w: World } {
  let mongo: TestMongo;
  let fake: FakeWeCom | undefined;
  let w: World | undefined;
  beforeAll(async () => {
    mongo = await startTestMongo();
  });
  afterAll(async () => {
    await mongo.close();
  });
  beforeEach(async () => {
    fake = await startFakeWeCom();
    for (const key of opts.robots ?? []) fake.addRobot(key);
    w = await startWorld({ mongoUri: mongo.uri, fake, ...opts.world?.() });
  });
  afterEach(async () => {
    await w?.close();
    await fake?.close();
  });
  return {
    get fake() {
      return fake!;
    },
    get w() {
      return w!;
    },
  };
}
