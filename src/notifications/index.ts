/**
 * The handling part, wired: handling service, outbox dispatcher with its notifiers, deadline sweep, the
 * handling conversations and the admin routes. `src/main.ts` calls `buildHandling` once and follows the
 * order below (the conversation must be wrapped before the WeCom routes are registered, and the WeCom
 * notifiers exist only after them).
 *
 * @example
 * const handlingPart = buildHandling({ config, connection: mongo.connection, models, clock, logger, locks, sessions });
 * const suggestions = handlingPart.routeOnSubmit(createSuggestionService({ models, clock, config }));
 * const conversation = handlingPart.wrapConversation(createConversationService({ ..., suggestions }));
 * const wecom = config.wecomEnabled ? registerWeComRoutes(app, { ..., conversation }) : undefined;
 * if (wecom) handlingPart.attachWeCom(wecom);
 * handlingPart.registerRoutes(app, authenticate);
 * handlingPart.start();            // dispatcher polling + deadline sweep
 * …
 * await handlingPart.stop();
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'mongoose';
import type { Authenticate } from '../admin/admin-auth.js';
import type { ConversationHandler } from '../channels/channel-types.js';
import type { WeComChannels } from '../channels/wecom/index.js';
import type { SessionStore } from '../conversation/session-store.js';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import type { LockService } from '../infra/locks.js';
import type { Logger } from '../infra/logger.js';
import { withRouting } from '../routing/with-routing.js';
import { createHandlingService, type HandlingService } from '../suggestions/handling-service.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { SuggestionPort } from '../suggestions/suggestion-types.js';
import { createCitizenNotifier, kfSenderFromOutbox } from './citizen-notifier.js';
import { createDeadlineScheduler, type DeadlineScheduler } from './deadline-scheduler.js';
import { createDispatcher, type Dispatcher, type DispatcherDeps } from './dispatcher.js';
import { createGroupRobotNotifier } from './group-robot-notifier.js';
import { createHandlingConversation, type HandlingConversation } from './handling-conversation.js';
import { registerHandlingRoutes } from './handling-routes.js';
import { createNoticeStore, type NoticeStore } from './notice-store.js';
import type { Notifiers } from './notifier.js';
import { createWeComCardNotifier } from './wecom-card-notifier.js';

export interface BuildHandlingDeps {
  config: Readonly<AppConfig>;
  connection: Connection;
  models: SuggestionModels;
  clock: Clock;
  logger: Logger;
  locks: LockService;
  /** The conversation's session store (handling conversations keep their state under `handling:` ids). */
  sessions: SessionStore;
  /** Reuse an existing handling service (main.ts may already have one for the admin API). */
  handling?: HandlingService;
  /** Names this worker's outbox claims; defaults to hostname:pid. */
  workerId?: string;
  /** Observes each delivery attempt (metrics). */
  onDeliveryAttempt?: DispatcherDeps['onAttempt'];
}

export interface HandlingPart {
  handling: HandlingService;
  dispatcher: Dispatcher;
  deadlines: DeadlineScheduler;
  conversation: HandlingConversation;
  notices: NoticeStore;
  /** Routes every newly stored suggestion (assigns it, or asks the office to screen it). */
  routeOnSubmit<P extends SuggestionPort>(port: P): P;
  /** Unit members and pending ratings go to the handling flows; kept notices are prepended for citizens. */
  wrapConversation(engine: ConversationHandler): ConversationHandler;
  /** Card clicks → 受理/退回; unit cards, texts, robots and kf notices go out through WeCom. */
  attachWeCom(wecom: Pick<WeComChannels, 'appClient' | 'kfOutbox' | 'onTemplateCardEvent'>): void;
  registerRoutes(app: FastifyInstance, authenticate: Authenticate): void;
  start(): void;
  stop(): Promise<void>;
}

export function buildHandling(deps: BuildHandlingDeps): HandlingPart {
  const { config, models, clock, logger } = deps;
  const handling = deps.handling ?? createHandlingService({ models, clock, config });
  const notices = createNoticeStore(deps.connection, clock, { markers: deps.sessions });
  const conversation = createHandlingConversation({ handling, sessions: deps.sessions, notices, logger, timezone: config.service.timezone });
  // Without WeCom only citizen notices can be delivered (kept for the dev chat / terminal); unit cards
  // and texts stay pending until a worker with WeCom picks them up.
  let notifiers: Notifiers = { citizen_notice: createCitizenNotifier({ notices }) };
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}`;
  const makeDispatcher = () => createDispatcher({ models, notifiers, clock, logger, workerId, options: config.notifications, onAttempt: deps.onDeliveryAttempt });
  let dispatcher = makeDispatcher();
  const deadlines = createDeadlineScheduler({ handling, models, clock, locks: deps.locks, logger, config });
  let started = false;

  // The kf account a citizen wrote to: the configured one (WECOM_KF_OPEN_KFIDS, first entry).
  const openKfId = config.env.WECOM_KF_OPEN_KFIDS?.split(',').map((s) => s.trim()).find(Boolean);

  const part: HandlingPart = {
    handling,
    get dispatcher() {
      return dispatcher;
    },
    deadlines,
    conversation,
    notices,
    routeOnSubmit: (port) => withRouting(port, { handling, logger }),
    wrapConversation: (engine) => conversation.wrap(engine),
    attachWeCom(wecom) {
      wecom.onTemplateCardEvent(async (ev) => {
        const r = await handling.handleCardEvent(ev);
        if (!r.ok) logger.info({ taskId: ev.taskId, from: ev.from, code: r.code }, 'card click not applied');
      });
      const card = createWeComCardNotifier(wecom.appClient);
      notifiers = {
        unit_card: card,
        unit_text: card,
        card_update: card,
        robot_markdown: createGroupRobotNotifier({ api: wecom.appClient, robotKey: handling.directory.robotKey }),
        citizen_notice: createCitizenNotifier({
          notices,
          app: wecom.appClient,
          kf: kfSenderFromOutbox(wecom.kfOutbox, openKfId),
        }),
      };
      if (started) void dispatcher.stop();
      dispatcher = makeDispatcher();
      if (started) dispatcher.start();
    },
    registerRoutes(app, authenticate) {
      registerHandlingRoutes(app, { handling, dispatcher: { listDeadLetters: (n) => dispatcher.listDeadLetters(n), retryDeadLetter: (r, i) => dispatcher.retryDeadLetter(r, i) }, deadlines, authenticate });
    },
    start() {
      started = true;
      dispatcher.start();
      deadlines.start();
    },
    async stop() {
      started = false;
      await Promise.all([dispatcher.stop(), deadlines.stop()]);
    },
  };
  return part;
}

export type { HandlingService } from '../suggestions/handling-service.js';
export { createDispatcher, type Dispatcher } from './dispatcher.js';
export { createDeadlineScheduler, type DeadlineScheduler } from './deadline-scheduler.js';
