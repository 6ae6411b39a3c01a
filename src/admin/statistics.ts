/**
 * Statistics the office reports (pure): counts by theme, category, unit, status and month, and the four
 * rates offices are judged on —
 * - response rate (按时受理率): assignments accepted by their accept deadline, of those accepted or past it;
 * - answer rate (按期答复率): assignments answered by their answer deadline, of those answered or past it;
 * - adoption rate (采纳率): answered suggestions with an adopting answer (or adopted by the city), of all answered;
 * - satisfaction rate (满意率): evaluations with a satisfied rating, of all evaluations.
 * Assignments a unit returned do not count. With `unit` set, only that unit's assignments count.
 */
export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator / denominator, rounded to 4 places; null when nothing counts yet. */
  rate: number | null;
}

export interface Bucket {
  key: string;
  label: string;
  count: number;
}

export interface Statistics {
  total: number;
  byTheme: Bucket[];
  byCategory: Bucket[];
  byUnit: Bucket[];
  byStatus: Bucket[];
  /** `YYYY-MM` in the service timezone, oldest first. */
  byMonth: Bucket[];
  rates: { response: Rate; answer: Rate; adoption: Rate; satisfaction: Rate };
}

export interface StatisticsOptions {
  now: Date;
  timezone: string;
  adoptedOutcomes: readonly string[];
  satisfiedRatings: readonly string[];
  unitNames: Readonly<Record<string, string>>;
  categoryLabels: Readonly<Record<string, string>>;
  statusLabels: Readonly<Record<string, string>>;
  /** Count only this unit's assignments (unit tokens, or a unit filter). */
  unit?: string;
  /** Label of suggestions without a category / unit. */
  noneLabel: string;
}

type Doc = Record<string, any>;

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000,
});

const time = (d: unknown): number | undefined => (d ? new Date(d as string | Date).getTime() : undefined);

export function computeStatistics(docs: readonly Doc[], o: StatisticsOptions): Statistics {
  const now = o.now.getTime();
  const monthOf = new Intl.DateTimeFormat('en-CA', { timeZone: o.timezone, year: 'numeric', month: '2-digit' });
  const theme = new Map<string, Bucket>();
  const category = new Map<string, Bucket>();
  const unit = new Map<string, Bucket>();
  const status = new Map<string, Bucket>();
  const month = new Map<string, Bucket>();
  const bump = (m: Map<string, Bucket>, key: string, label: string) => {
    const b = m.get(key);
    if (b) b.count += 1;
    else m.set(key, { key, label, count: 1 });
  };
  let accOnTime = 0, accDue = 0, ansOnTime = 0, ansDue = 0, answered = 0, adopted = 0, evaluated = 0, satisfied = 0;

  for (const d of docs) {
    bump(theme, d.theme, d.themeName ?? d.theme);
    bump(category, d.category ?? 'none', d.category ? (o.categoryLabels[d.category] ?? d.category) : o.noneLabel);
    bump(status, d.status, o.statusLabels[d.status] ?? d.status);
    const parts = monthOf.formatToParts(new Date(d.submittedAt));
    const ym = `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
    bump(month, ym, ym);

    const active = ((d.assignments ?? []) as Doc[]).filter((a) => !a.returnedAt && a.active !== false);
    const units = [...new Set(active.map((a) => a.unit as string))];
    if (units.length === 0) bump(unit, 'none', o.noneLabel);
    for (const u of units) bump(unit, u, o.unitNames[u] ?? u);

    const counted = o.unit ? active.filter((a) => a.unit === o.unit) : active;
    for (const a of counted) {
      // Answering without a separate accept counts as accepting at that moment.
      const accepted = time(a.acceptedAt) ?? time(a.answeredAt);
      const acceptDue = time(a.acceptDueAt);
      if (accepted !== undefined || (acceptDue !== undefined && acceptDue < now)) {
        accDue += 1;
        if (accepted !== undefined && (acceptDue === undefined || accepted <= acceptDue)) accOnTime += 1;
      }
      const ans = time(a.answeredAt);
      const due = time(a.dueAt);
      if (ans !== undefined || (due !== undefined && due < now)) {
        ansDue += 1;
        if (ans !== undefined && (due === undefined || ans <= due)) ansOnTime += 1;
      }
    }
    const answers = counted.filter((a) => a.answer?.outcome);
    if (answers.length || d.cityRecommendation?.outcome === 'adopted') {
      answered += 1;
      if (answers.some((a) => o.adoptedOutcomes.includes(a.answer.outcome)) || d.cityRecommendation?.outcome === 'adopted') adopted += 1;
    }
    if (d.evaluation?.rating && (!o.unit || counted.length)) {
      evaluated += 1;
      if (o.satisfiedRatings.includes(d.evaluation.rating)) satisfied += 1;
    }
  }

  const byCount = (m: Map<string, Bucket>) => [...m.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  return {
    total: docs.length,
    byTheme: byCount(theme),
    byCategory: byCount(category),
    byUnit: byCount(unit),
    byStatus: byCount(status),
    byMonth: [...month.values()].sort((a, b) => a.key.localeCompare(b.key)),
    rates: {
      response: rate(accOnTime, accDue),
      answer: rate(ansOnTime, ansDue),
      adoption: rate(adopted, answered),
      satisfaction: rate(satisfied, evaluated),
    },
  };
}
