/**
 * The suggestion's status machine (DESIGN.md): which status may follow which, and the handling status a
 * set of assignments adds up to. Pure; the handling service checks every change against it.
 *
 *   submitted → assigned → accepted → answered → evaluated → closed
 *   returned (a unit sent it back: the office reassigns or rejects), escalated (the citizen was not
 *   satisfied: the office reviews), recommended_to_city, rejected (with a reason), withdrawn.
 */
import type { SuggestionStatus } from '../domain/suggestion-types.js';

export const transitions: Readonly<Record<SuggestionStatus, readonly SuggestionStatus[]>> = {
  submitted: ['assigned', 'rejected', 'recommended_to_city', 'withdrawn'],
  // assigned → assigned: a reassignment; → returned: the only unit sent it back.
  assigned: ['assigned', 'accepted', 'answered', 'returned', 'rejected', 'withdrawn'],
  // accepted → accepted: a second unit accepted, or one of two units answered.
  accepted: ['assigned', 'accepted', 'answered', 'returned', 'withdrawn'],
  // answered/escalated → assigned|accepted: the office adds or replaces units after an answer or an
  // unsatisfied rating (accepted when a unit that already answered stays on it).
  answered: ['evaluated', 'escalated', 'closed', 'assigned', 'accepted'],
  evaluated: ['closed'],
  escalated: ['assigned', 'accepted', 'closed', 'rejected'],
  returned: ['assigned', 'rejected', 'recommended_to_city', 'withdrawn'],
  recommended_to_city: ['closed'],
  rejected: [],
  closed: [],
  withdrawn: [],
};

export function canTransition(from: SuggestionStatus, to: SuggestionStatus): boolean {
  return transitions[from].includes(to);
}

/** Statuses in which the office may (re)assign units. */
export const assignableStatuses: readonly SuggestionStatus[] = ['submitted', 'assigned', 'accepted', 'returned', 'escalated', 'answered'];

/** Statuses in which no unit and no office action is pending any more. */
export const finalStatuses: readonly SuggestionStatus[] = ['evaluated', 'closed', 'rejected', 'withdrawn', 'recommended_to_city'];

/** The minimal view of an assignment the status depends on. */
export interface AssignmentState {
  active?: boolean | null;
  acceptedAt?: Date | null;
  answeredAt?: Date | null;
}

/**
 * The status the active assignments add up to: `answered` once every active unit answered, `accepted`
 * once any accepted (or answered), `assigned` otherwise, and `returned` when none is active any more.
 */
export function handlingStatus(assignments: readonly AssignmentState[]): 'assigned' | 'accepted' | 'answered' | 'returned' {
  const active = assignments.filter((a) => a.active);
  if (active.length === 0) return 'returned';
  if (active.every((a) => a.answeredAt)) return 'answered';
  if (active.some((a) => a.acceptedAt || a.answeredAt)) return 'accepted';
  return 'assigned';
}
