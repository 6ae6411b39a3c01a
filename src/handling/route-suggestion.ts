/**
 * Routing: which handling units (承办单位) a suggestion goes to, at what level, and whether the collecting
 * office (区信访办) must screen it first. Pure: the same suggestion and config always give the same answer.
 */
import type { FileConfig } from '../infra/config.js';
import type { SuggestionCategory } from '../domain/suggestion-types.js';
import { findPlaces } from './place-names.js';

/** The parts of a suggestion routing looks at. */
export interface RoutableSuggestion {
  theme: string;
  category?: SuggestionCategory | null;
  title: string;
  proposal: string;
  /** A level already decided (e.g. the submitter said it concerns the whole city). */
  level?: 'district' | 'city' | null;
  /**
   * Flags the citizen insisted past (a one-liner, a slogan) or an uncertain scope (`scope_uncertain`):
   * any flag holds the suggestion for the office's screening; it is never auto-routed.
   */
  qualityFlags?: readonly string[] | null;
  /** Other text that names places: addresses of locations the citizen sent with the suggestion. */
  placeText?: string | null;
}

export type RoutingConfig = Pick<FileConfig, 'routing' | 'collectingOffice' | 'units'>;

/**
 * The routing decision.
 * - `units`: the units the matched rule names (empty when no rule matched);
 * - `level`: `city` when the suggestion concerns the whole city (the office recommends it to 市征集办);
 * - `needsScreening`: the office must look at it before anyone is assigned (screening mode, no rule,
 *   city level, or a quality / scope flag); `units` are then only a proposal shown to the office.
 */
export interface RoutingDecision {
  units: string[];
  level: 'district' | 'city';
  needsScreening: boolean;
  /** The rule that matched (its id, or `rule-<n>`), if any. */
  ruleId?: string;
  /** Why the office must screen it. */
  screeningReason?: 'mode' | 'no_rule' | 'city_level' | 'flagged' | 'ambiguous_place';
  /** Places named in the text that decided a town's (街道, 镇, 乡) part, or that matched several of them. */
  places?: { name: string; units: string[] }[];
}

/** More towns than this named in one suggestion: it concerns a wider area, and no town is added for it. */
const MAX_PLACE_UNITS = 3;

/**
 * Tries the rules in order; the first whose theme, category and keywords all match decides. A town (街道,
 * 镇, 乡) named in the text, by its name or one of its villages (`units[].places`), is added as co-handler,
 * or handles it alone when no rule matched; a place name that belongs to several towns sends the
 * suggestion to the office's screening instead of a guess.
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

  const placeSource = (cfg.routing.placeStopwords ?? []).reduce((t, w) => t.split(w).join('\u3000'.repeat(w.length)), s.placeText ? `${text}\n${s.placeText}` : text);
  const found = cfg.routing.placeRouting ? findPlaces(placeSource, cfg.units) : undefined;
  const towns = found && found.towns.length <= MAX_PLACE_UNITS ? found.towns : [];
  const ambiguous = found && found.towns.length <= MAX_PLACE_UNITS ? found.ambiguous : [];
  const units = [...new Set([...(matched?.units ?? []), ...towns])];
  const ruleId = matched?.ruleId ?? (towns.length ? 'place' : undefined);

  // A short feasibility the citizen insisted on (too_short) is noted, not held: it says nothing about scope or quality of the measure.
  const flagged = (s.qualityFlags ?? []).some((f) => f !== 'too_short');
  const screeningReason =
    level === 'city' ? 'city_level' : flagged ? 'flagged' : ambiguous.length ? 'ambiguous_place' : units.length === 0 ? 'no_rule' : cfg.routing.mode === 'screening' ? 'mode' : undefined;
  const places = found ? [...found.matched.filter((m) => m.units.some((u) => towns.includes(u)) || ambiguous.includes(m))] : [];
  return {
    units,
    level,
    needsScreening: screeningReason !== undefined,
    ...(ruleId ? { ruleId } : {}),
    ...(screeningReason ? { screeningReason } : {}),
    ...(places.length ? { places } : {}),
  };
}
