/**
 * An in-memory SuggestionPort for transcript tests: stores once per submissionKey, numbers references like
 * the real service (`WZ2021-000001`), and shows a citizen only their own suggestions. `failNext` makes the
 * next calls throw, as a storage outage would (optionally after storing, as when the answer is lost).
 */
import type {
  CitizenRef,
  SubmitResult,
  SuggestionPort,
  SuggestionStatusView,
  SuggestionSubmission,
} from '../../src/domain/suggestion-types.js';
import type { Clock } from '../../src/infra/clock.js';

export interface StoredFake extends SuggestionSubmission {
  reference: string;
  submittedAt: Date;
}

export class MemorySuggestions implements SuggestionPort {
  readonly stored: StoredFake[] = [];
  private failures: { times: number; afterStoring: boolean } = { times: 0, afterStoring: false };

  constructor(
    private readonly clock: Clock,
    private readonly prefix = 'WZ',
  ) {}

  /** The next `times` calls fail; with `afterStoring`, a submit stores first and then fails (a lost answer). */
  failNext(times = 1, opts: { afterStoring?: boolean } = {}): void {
    this.failures = { times, afterStoring: opts.afterStoring ?? false };
  }

  private maybeFail(stage: 'before' | 'after'): void {
    if (this.failures.times <= 0) return;
    if ((stage === 'after') !== this.failures.afterStoring) return;
    this.failures.times -= 1;
    throw new Error('storage unavailable');
  }

  async submit(input: SuggestionSubmission): Promise<SubmitResult> {
    this.maybeFail('before');
    const existing = this.stored.find((s) => s.submissionKey === input.submissionKey);
    if (existing) return { reference: existing.reference, created: false };
    const now = this.clock.now();
    const year = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now);
    const reference = `${this.prefix}${year}-${String(this.stored.length + 1).padStart(6, '0')}`;
    this.stored.push({ ...structuredClone(input), reference, submittedAt: now });
    this.maybeFail('after');
    return { reference, created: true };
  }

  async findForCitizen(reference: string, citizen: CitizenRef): Promise<SuggestionStatusView | null> {
    this.maybeFail('before');
    const s = this.stored.find((x) => x.reference === reference && x.citizen.channel === citizen.channel && x.citizen.id === citizen.id);
    return s ? view(s) : null;
  }

  async listForCitizen(citizen: CitizenRef, limit = 10): Promise<SuggestionStatusView[]> {
    this.maybeFail('before');
    return this.stored
      .filter((x) => x.citizen.channel === citizen.channel && x.citizen.id === citizen.id)
      .reverse()
      .slice(0, limit)
      .map(view);
  }
}

function view(s: StoredFake): SuggestionStatusView {
  return { reference: s.reference, title: s.title, status: 'submitted', submittedAt: s.submittedAt, units: [] };
}
