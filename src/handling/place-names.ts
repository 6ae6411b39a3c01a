/**
 * Place names in a suggestion: which towns (街道, 镇, 乡) the text names, by the unit's own name, its
 * aliases (an older name such as 高峰镇 for 高峰街道) or one of its villages and communities
 * (`units[].places`). Pure; the index is built once per units list.
 *
 * A name that belongs to two units (two villages called 朝阳村) is ambiguous unless the text also names
 * one of those units another way (朝阳村 next to 武陵镇): then that unit is meant.
 *
 * @example
 *   findPlaces('建议在龙驹镇玉合村修一座便民桥', cfg.units)
 *   // { towns: ['longju'], matched: [{ name: '龙驹镇', units: ['longju'] }, { name: '玉合村', units: ['longju'] }], ambiguous: [] }
 */
import type { FileConfig } from '../infra/config.js';

type Units = FileConfig['units'];

export interface PlaceMatch {
  name: string;
  units: string[];
}

export interface PlacesFound {
  /** Units (kind town or street) the text names unambiguously, in order of first mention. */
  towns: string[];
  /** Every name found, longest match first at each position. */
  matched: PlaceMatch[];
  /** Names that belong to several units and that nothing else in the text decides. */
  ambiguous: PlaceMatch[];
}

interface PlaceIndex {
  byName: Map<string, string[]>;
  /** Lengths of the names, longest first (for longest-match scanning). */
  lengths: number[];
  /** First characters of names, to skip positions quickly. */
  starts: Set<string>;
}

const indexes = new WeakMap<Units, PlaceIndex>();

function indexOf(units: Units): PlaceIndex {
  const cached = indexes.get(units);
  if (cached) return cached;
  const byName = new Map<string, string[]>();
  const add = (name: string, unit: string) => {
    const n = name.trim();
    if (n.length < 2) return;
    const list = byName.get(n) ?? [];
    if (!list.includes(unit)) list.push(unit);
    byName.set(n, list);
  };
  for (const u of units) {
    if (u.kind !== 'town' && u.kind !== 'street') continue;
    add(u.name, u.id);
    for (const a of u.aliases ?? []) add(a, u.id);
    for (const p of u.places ?? []) add(p, u.id);
  }
  const lengths = [...new Set([...byName.keys()].map((k) => k.length))].sort((a, b) => b - a);
  const starts = new Set([...byName.keys()].map((k) => k[0]!));
  const index = { byName, lengths, starts };
  indexes.set(units, index);
  return index;
}

/** The places a text names. */
export function findPlaces(text: string, units: Units): PlacesFound {
  const { byName, lengths, starts } = indexOf(units);
  const matched: PlaceMatch[] = [];
  for (let i = 0; i < text.length; ) {
    let hit: string | undefined;
    if (starts.has(text[i]!)) {
      for (const len of lengths) {
        const candidate = text.slice(i, i + len);
        if (candidate.length === len && byName.has(candidate)) {
          hit = candidate;
          break;
        }
      }
    }
    if (hit) {
      if (!matched.some((m) => m.name === hit)) matched.push({ name: hit, units: [...byName.get(hit)!] });
      i += hit.length;
    } else i++;
  }
  const sure = new Set(matched.filter((m) => m.units.length === 1).map((m) => m.units[0]!));
  const towns: string[] = [];
  const ambiguous: PlaceMatch[] = [];
  for (const m of matched) {
    const decided = m.units.length === 1 ? m.units : m.units.filter((u) => sure.has(u));
    if (decided.length === 1) {
      if (!towns.includes(decided[0]!)) towns.push(decided[0]!);
    } else if (decided.length === 0) ambiguous.push(m);
    // Several of its units named otherwise too: those units are in `towns` already.
  }
  return { towns, matched, ambiguous };
}
