/**
 * Routes every new suggestion right after it is stored, unless the port stored it already routed
 * (`SubmitResult.routed`, see `routingAtCreation`): wraps the SuggestionPort the conversation uses.
 * If routing fails here (a crash, storage down), the deadline sweep routes what is still unrouted.
 */
import type { Logger } from '../infra/logger.js';
import type { HandlingService } from '../suggestions/handling-service.js';
import type { SuggestionPort } from '../suggestions/suggestion-types.js';

export function withRouting<P extends SuggestionPort>(port: P, deps: { handling: Pick<HandlingService, 'route'>; logger: Pick<Logger, 'warn'> }): P {
  return {
    ...port,
    async submit(input) {
      const r = await port.submit(input);
      if (r.created && !r.routed) {
        try {
          const routed = await deps.handling.route(r.reference);
          if (!routed.ok && routed.code !== 'already_done') deps.logger.warn({ reference: r.reference, code: routed.code }, 'routing refused; the office will see it in the deadline report');
        } catch (err) {
          deps.logger.warn({ reference: r.reference, err: (err as Error).message }, 'routing failed; the deadline sweep will retry');
        }
      }
      return r;
    },
  };
}
