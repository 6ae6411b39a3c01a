/**
 * The notifications part, wired: the outbox dispatcher and the senders it delivers through (unit cards and
 * texts, group robots and citizen notices over WeCom; citizen notices kept for the dev chat and terminal
 * when WeCom is not configured), plus the store of notices kept for citizens.
 *
 * @example
 *   const notifications = buildNotifications({ config, connection, models, clock, logger, markers: sessions, wecom, robotKey });
 *   notifications.dispatcher.start();
 *   …
 *   await notifications.dispatcher.stop();
 */
import { hostname } from 'node:os';
import type { Connection } from 'mongoose';
import type { Clock } from '../infra/clock.js';
import type { AppConfig } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { SuggestionModels } from '../suggestions/suggestion-model.js';
import type { WeComApi } from '../wecom-api/index.js';
import { createCitizenNotifier, kfSenderFromOutbox } from './citizen-notifier.js';
import { createDispatcher, type Dispatcher, type DispatcherDeps } from './dispatcher.js';
import { createGroupRobotNotifier } from './group-robot-notifier.js';
import { createNoticeStore, type NoticeMarkers, type NoticeStore } from './notice-store.js';
import type { Notifiers } from './notifier.js';
import { createWeComCardNotifier } from './wecom-card-notifier.js';

export interface BuildNotificationsDeps {
  config: Readonly<AppConfig>;
  connection: Connection;
  models: Pick<SuggestionModels, 'Suggestion'>;
  clock: Clock;
  logger: Logger;
  /** Per-citizen "anything kept?" markers (the conversation's session store). */
  markers?: NoticeMarkers;
  /** WeCom's outbound clients; without them only citizen notices are delivered (kept for the dev chat). */
  wecom?: Pick<WeComApi, 'appClient' | 'kfOutbox' | 'openKfIds'>;
  /** A unit's group-robot webhook key (config, read at delivery: a credential never stored in a document). */
  robotKey: (unitId: string) => string | undefined;
  /** Names this worker's outbox claims; defaults to hostname:pid. */
  workerId?: string;
  /** Observes each delivery attempt (metrics). */
  onDeliveryAttempt?: DispatcherDeps['onAttempt'];
}

export interface NotificationsPart {
  dispatcher: Dispatcher;
  notices: NoticeStore;
}

export function buildNotifications(deps: BuildNotificationsDeps): NotificationsPart {
  const { config, models, clock, logger, wecom } = deps;
  const notices = createNoticeStore(deps.connection, clock, deps.markers ? { markers: deps.markers } : {});
  // News goes back through the kf account each citizen last wrote to (remembered by the kf outbox); the first
  // of WECOM_KF_OPEN_KFIDS only for a citizen whose account is not known.
  const openKfId = wecom?.openKfIds[0];
  // Without WeCom, unit cards and texts stay pending until a worker with WeCom picks them up.
  const notifiers: Notifiers = wecom
    ? (() => {
        const card = createWeComCardNotifier(wecom.appClient);
        return {
          unit_card: card,
          unit_text: card,
          card_update: card,
          robot_markdown: createGroupRobotNotifier({ api: wecom.appClient, robotKey: deps.robotKey }),
          citizen_notice: createCitizenNotifier({
            notices,
            app: wecom.appClient,
            kf: kfSenderFromOutbox(wecom.kfOutbox, openKfId),
          }),
        };
      })()
    : { citizen_notice: createCitizenNotifier({ notices }) };
  const dispatcher = createDispatcher({
    models,
    notifiers,
    clock,
    logger,
    workerId: deps.workerId ?? `${hostname()}:${process.pid}`,
    options: config.notifications,
    onAttempt: deps.onDeliveryAttempt,
  });
  return { dispatcher, notices };
}

export { createDispatcher, type Dispatcher } from './dispatcher.js';
export type { NoticeStore } from './notice-store.js';
