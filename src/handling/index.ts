/**
 * The handling part (承办): the lifecycle service (routing, assignment, acceptance, answers, rating), the
 * deadline sweep, and the submission steps. Delivery of what the lifecycle writes to the outbox is the
 * notifications part's job; the handling conversation (units answering, citizens rating) lives with the
 * conversation, and the handling API with the admin routes.
 */
import type { Logger } from '../infra/logger.js';
import type { CardClick, HandlingService } from './handling-service.js';

export { createHandlingService, type HandlingService, type CardClick, type Actor } from './handling-service.js';
export { createDeadlineScheduler, type DeadlineScheduler } from './deadline-scheduler.js';
export { createSubmission, type SubmissionDeps } from './submission.js';

/** Applies a unit member's card click (受理 / 退回); a click the state no longer allows is logged, not retried. */
export function cardClickHandler(handling: Pick<HandlingService, 'handleCardEvent'>, logger: Pick<Logger, 'info'>): (click: CardClick) => Promise<void> {
  return async (click) => {
    const r = await handling.handleCardEvent(click);
    if (!r.ok) logger.info({ taskId: click.taskId, from: click.from, code: r.code }, 'card click not applied');
  };
}
