/**
 * What submitting a suggestion does, step by step, in one place. The conversation (citizens and agents'
 * proxy entry alike) submits through the SuggestionPort this returns:
 *
 *  0. list the photos, files and locations sent with the draft (src/handling/attachments.ts), to store with it;
 *  1. find the earlier suggestions it resembles, to store with it (`similarTo`, shown to the office);
 *  2. store it once per submission key, already routed to its units or queued for the office's
 *     screening, in that same insert (`routingAtCreation`);
 *  3. when routing could not be written with the insert, route it right after; if that fails (a crash,
 *     storage down), the deadline sweep routes what is still unrouted;
 *  4. teach the similarity index the new suggestion, and count it; bind the attachments to its reference.
 *
 * A repeated submission (a WeCom retry, two workers confirming one draft) stores, routes and counts nothing.
 *
 * @example
 *   const suggestions = createSubmission({ suggestions: suggestionService, handling, similar, metrics, logger });
 *   await suggestions.submit(draft); // → { reference: 'WZ2021-000123', created: true, routed: true }
 */
import type { SubmitResult, SuggestionPort, SuggestionSubmission } from '../domain/suggestion-types.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import type { SimilarSuggestions } from '../suggestions/similar-suggestions.js';
import type { SuggestionService } from '../suggestions/suggestion-service.js';
import type { Attachments } from './attachments.js';
import type { HandlingService } from './handling-service.js';

export interface SubmissionDeps {
  suggestions: Pick<SuggestionService, 'submit' | 'findForCitizen' | 'listForCitizen'>;
  /** Routing; without it (tests of the record alone) suggestions are stored unrouted. */
  handling?: Pick<HandlingService, 'routingAtCreation' | 'route'>;
  similar?: Pick<SimilarSuggestions, 'linksFor' | 'learn'>;
  metrics?: Pick<Metrics, 'submissions'>;
  /** The draft's attachments; without it (tests of the record alone) none are listed. */
  attachments?: Pick<Attachments, 'draftOf' | 'bind'>;
  logger: Pick<Logger, 'warn'>;
}

export function createSubmission(deps: SubmissionDeps): SuggestionPort {
  const { suggestions, handling, similar, metrics, attachments, logger } = deps;

  async function routeAfterInsert(handling: Pick<HandlingService, 'route'>, reference: string): Promise<void> {
    try {
      const routed = await handling.route(reference);
      if (!routed.ok && routed.code !== 'already_done') logger.warn({ reference, code: routed.code }, 'routing refused; the office will see it in the deadline report');
    } catch (err) {
      logger.warn({ reference, err: (err as Error).message }, 'routing failed; the deadline sweep will retry');
    }
  }

  return {
    findForCitizen: (reference, citizen) => suggestions.findForCitizen(reference, citizen),
    listForCitizen: (citizen, limit) => suggestions.listForCitizen(citizen, limit),
    async submit(input: SuggestionSubmission): Promise<SubmitResult> {
      const files = (await attachments?.draftOf(input.citizen)) ?? [];
      const withFiles = files.length ? { ...input, attachments: files } : input;
      const similarTo = similar?.linksFor(input) ?? [];
      const result = await suggestions.submit(similarTo.length ? { ...withFiles, similarTo } : withFiles, handling ? { atCreation: (draft) => handling.routingAtCreation(draft) } : {});
      if (!result.created) return result;
      if (files.length) await attachments!.bind(files.map((f) => f.id), result.reference);
      if (handling && !result.routed) await routeAfterInsert(handling, result.reference);
      similar?.learn(result.reference, input);
      metrics?.submissions.inc({ channel: input.citizen.channel, entered_by: input.enteredBy ? 'agent' : 'citizen' });
      return result;
    },
  };
}
