/**
 * Routing: which handling units (承办单位) a suggestion goes to, at what level, and whether the collecting
 * office (区信访办) must screen it first. Pure: the same suggestion and config always give the same answer.
 */
import type { FileConfig } from '../infra/config.js';
import type { SuggestionCategory } from '../domain/suggestion-types.js';

/** The parts of a suggestion routing looks at. */
export interface RoutableSuggestion {
  theme: string;
  category?: SuggestionCategory | null;
  title: string;
  proposal: string;
  /** A level already decided (e.g. the submitter said it concerns the whole city). */
  level?: 'district' | 'city' | null;
}

export type RoutingConfig = Pick<FileConfig, 'routing' | 'collectingOffice'>;

/**
 * The routing decision.
 * - `units`: the units the matched rule names (empty when no rule matched);
 * - `level`: `city` when the suggestion concerns the whole city (the office recommends it to 市征集办);
 * - `needsScreening`: the office must look at it before anyone is assigned (screening mode, no rule,
 *   or city level); `units` are then only a proposal shown to the office.
 */
export interface RoutingDecision {
  units: string[];
  level: 'district' | 'city';
  needsScreening: boolean;
  /** The rule that matched (its id, or `rule-<n>`), if any. */
  ruleId?: string;
  /** Why the office must screen it. */
  screeningReason?: 'mode' | 'no_rule' | 'city_level';
}

/**
 * Tries the rules in order; the first whose theme, category and keywords all match decides.
 *
 * @example
 * routeSuggestion({ theme: 'rural_revitalization', title: '发展乡村民宿', proposal: '…' }, cfg)
 * // → { units: ['nyncw', 'xczxj'], level: 'district', needsScreening: false, ruleId: 'rural' }
 */
export function routeSuggestion(s: RoutableSuggestion, cfg: RoutingConfig): RoutingDecision {
  const text = `${s.title}\n${s.proposal}`;
  const level: 'district' | 'city' =
    s.level === 'city' || cfg.routing.cityLevelKeywords.some((k) => text.includes(k)) ? 'city' : 'district';

  let matched: { units: string[]; ruleId: string } | undefined;
  for (const [i, rule] of cfg.routing.rules.entries()) {
    if (rule.theme && rule.theme !== s.theme) continue;
    if (rule.category && rule.category !== s.category) continue;
    if (rule.keywords && !rule.keywords.some((k) => text.includes(k))) continue;
    matched = { units: [...new Set(rule.units)], ruleId: rule.id ?? `rule-${i + 1}` };
    break;
  }

  const screeningReason = level === 'city' ? 'city_level' : !matched ? 'no_rule' : cfg.routing.mode === 'screening' ? 'mode' : undefined;
  return {
    units: matched?.units ?? [],
    level,
    needsScreening: screeningReason !== undefined,
    ...(matched ? { ruleId: matched.ruleId } : {}),
    ...(screeningReason ? { screeningReason } : {}),
  };
}
