/**
 * What a handling unit's token is shown of a suggestion: what handling needs (the proposal, the proposer's
 * name, phone and unit to contact them, assignments, answers, history), not the citizen's platform account
 * (WeCom / 微信客服 id), the outbox's delivery records, routing internals or submission keys.
 *
 * @example
 * reply.send(p.kind === 'unit' ? unitView(doc) : doc);
 */
const hidden = ['citizen', 'outbox', 'submissionKey', 'rev', 'routing', 'similarTo', 'ratingRequestedAt', '_id', '__v'] as const;

export function unitView<T extends Record<string, unknown>>(doc: T): Omit<T, (typeof hidden)[number]> {
  const out: Record<string, unknown> = { ...doc };
  for (const k of hidden) delete out[k];
  if (Array.isArray(out.assignments)) {
    out.assignments = (out.assignments as Record<string, unknown>[]).map(({ cardTaskId: _c, ...a }) => (void _c, a));
  }
  if (Array.isArray(out.history)) {
    // History actors of citizens name their platform account: shown as the citizen only.
    out.history = (out.history as Record<string, unknown>[]).map((h) => (typeof h.actor === 'string' && h.actor.startsWith('citizen:') ? { ...h, actor: 'citizen' } : h));
  }
  return out as Omit<T, (typeof hidden)[number]>;
}
