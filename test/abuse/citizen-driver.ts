/**
 * A citizen who follows whatever the bot asks, by `state` (not a fixed script): answers each step from a
 * prepared suggestion, says 完成 after a collecting step, takes the option that keeps the suggestion
 * going when coached or asked whether this is a suggestion, and confirms at the review. Used by the abuse
 * suites and bench 2. Bounded: `next` never loops by itself, and `stuck` names a step asked too often.
 */
export interface CitizenAnswers {
  title: string;
  proposal: string;
  feasibility: string;
  identity: string;
}

export interface BotTurn {
  state: string;
  replies: { text: string; options?: { id: string; label: string }[] }[];
}

/** Options that keep a suggestion going, most preferred first. */
const FORWARD = ['insist', 'suggest', 'submit', 'continue', 'keep', 'yes', 'confirm'];

export function createCitizen(a: CitizenAnswers) {
  const collected = new Set<string>();
  const asked = new Map<string, number>();
  return {
    /** What to say after this turn, or undefined once submitted (or at a terminal state). */
    next(turn: BotTurn): string | undefined {
      const { state } = turn;
      if (state === 'submitted' || state === 'out_of_scope' || state === 'cancelled') return undefined;
      asked.set(state, (asked.get(state) ?? 0) + 1);
      const options = turn.replies.flatMap((r) => r.options ?? []);
      const forward = FORWARD.map((id) => options.find((o) => o.id === id)).find(Boolean);
      if (state === 'theme') return '1';
      if (state === 'title') return a.title;
      if (state === 'category') return '解决问题';
      if (state === 'proposal' || state === 'feasibility') {
        if (!collected.has(state)) {
          collected.add(state);
          return state === 'proposal' ? a.proposal : a.feasibility;
        }
        return forward ? forward.label : '完成';
      }
      if (state === 'identity') return a.identity;
      if (state === 'confirm') return forward?.label ?? '确认提交';
      return forward?.label ?? options[0]?.label;
    },
    /** A step asked more than `max` times: the prepared answers do not get past it. */
    stuck(max = 4): string | undefined {
      return [...asked].find(([, n]) => n > max)?.[0];
    },
  };
}
