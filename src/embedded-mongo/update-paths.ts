/**
 * Update paths through array elements, resolved the way MongoDB does before any operator runs:
 *
 * - Parse time (independent of the document): array filters are validated (one identifier each,
 *   no duplicates, every filter used, every `$[id]` has a filter) and two paths conflict (code 40)
 *   iff they are equal or one is a prefix of the other by path components, with `$`, `$[]` and
 *   `$[id]` compared as literal components. Sibling fields below one element never conflict.
 * - Per document: positional `$` (the element the query matched), `$[]` and `$[id]` are expanded to
 *   concrete indexes against the document as it was before the update, so an update that changes
 *   the very field an array filter tests still reaches every element the filter selected. The
 *   concrete paths are checked again (two identifiers selecting one element for one field conflict,
 *   as MongoDB's "Update created a conflict"), then handed to mingo's operators with no positional
 *   left in them.
 *
 * mingo alone cannot do this: it treats every path through `a.$[e]` as the path `a` and refuses
 * them as conflicting, and it re-evaluates filters between operators.
 */
import { MongoCommandError, toMongoError } from './errors.js';
import { mingoOptions, Query } from './mingo-setup.js';
import { setPath, type Doc } from './types-bridge.js';

const IDENT = /^[a-z][a-zA-Z0-9]*$/;
const FILTER_COMPONENT = /^\$\[(.*)\]$/;

/** Array filters compiled by identifier. */
export type ArrayFilters = Map<string, Query>;

function isPlainDoc(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v as { _bsontype?: string })._bsontype && !(v instanceof Date) && !(v instanceof RegExp);
}

/** The identifiers a filter document names at its top level (looking through $and/$or/$nor). */
function filterIdentifiers(f: Doc, out: Set<string>): void {
  for (const [k, v] of Object.entries(f)) {
    if (k === '$and' || k === '$or' || k === '$nor') {
      if (Array.isArray(v)) for (const c of v) if (isPlainDoc(c)) filterIdentifiers(c, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    out.add(k.split('.')[0]!);
  }
}

function parseArrayFilters(raw: Doc[] | undefined): ArrayFilters {
  const out: ArrayFilters = new Map();
  for (const f of raw ?? []) {
    if (!isPlainDoc(f)) throw new MongoCommandError(14, 'Each array filter must be an object');
    const ids = new Set<string>();
    filterIdentifiers(f, ids);
    if (ids.size === 0) throw new MongoCommandError(9, 'Cannot use an expression without a top-level field name in arrayFilters');
    if (ids.size > 1) {
      const [a, b] = [...ids];
      throw new MongoCommandError(9, `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${a}' and '${b}'`);
    }
    const id = [...ids][0]!;
    if (!IDENT.test(id)) {
      throw new MongoCommandError(2, `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
    }
    if (out.has(id)) throw new MongoCommandError(9, `Found multiple array filters with the same top-level field name ${id}`);
    try {
      out.set(id, new Query(f, mingoOptions()));
    } catch (e) {
      throw toMongoError(e);
    }
  }
  return out;
}

/** Paths `a` and `b` (as components) conflict iff equal or one is a prefix of the other. */
function firstConflict(paths: string[][]): [string, string] | null {
  const sorted = paths.map((p) => p.join('.')).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  // After sorting, a prefix (by components) sorts right before its extensions, possibly with
  // unrelated paths in between ("a" < "a-b" < "a.b"); compare against every earlier path that could
  // still be a prefix.
  const set = new Set<string>();
  for (const s of sorted) {
    if (set.has(s)) return [s, s];
    const parts = s.split('.');
    for (let i = 1; i < parts.length; i++) {
      const pre = parts.slice(0, i).join('.');
      if (set.has(pre)) return [pre, s];
    }
    set.add(s);
  }
  return null;
}

/** Every path an update writes (with `$rename` sources and targets), per operator. */
function targetPaths(mods: Doc): { op: string; path: string }[] {
  const out: { op: string; path: string }[] = [];
  for (const [op, spec] of Object.entries(mods)) {
    for (const [path, v] of Object.entries(spec as Doc)) {
      out.push({ op, path });
      if (op === '$rename' && typeof v === 'string') out.push({ op, path: v });
    }
  }
  return out;
}

/**
 * Parse-time checks of an operator update (including `$setOnInsert`, which MongoDB checks even
 * when the update does not insert). Returns the compiled array filters.
 */
export function checkUpdatePaths(mods: Doc, rawFilters: Doc[] | undefined): ArrayFilters {
  const filters = parseArrayFilters(rawFilters);
  const used = new Set<string>();
  const all = targetPaths(mods);
  for (const [op, spec] of Object.entries(mods)) {
    if (op !== '$rename') continue;
    for (const [from, to] of Object.entries(spec as Doc)) {
      if (typeof to !== 'string') throw new MongoCommandError(2, `The 'to' field for $rename must be a string: ${from}: ${String(to)}`);
      if (from.split('.').some((c) => c.startsWith('$'))) throw new MongoCommandError(2, `The source field for $rename may not be dynamic: ${from}`);
      if (to.split('.').some((c) => c.startsWith('$'))) throw new MongoCommandError(2, `The destination field for $rename may not be dynamic: ${to}`);
    }
  }
  for (const { path } of all) {
    const parts = path.split('.');
    if (parts.filter((c) => c === '$').length > 1) {
      throw new MongoCommandError(2, `Too many positional (i.e. '$') elements found in path '${path}'`);
    }
    for (const c of parts) {
      const m = FILTER_COMPONENT.exec(c);
      if (!m || m[1] === '') continue;
      const id = m[1]!;
      if (!filters.has(id)) throw new MongoCommandError(2, `No array filter found for identifier '${id}' in path '${path}'`);
      used.add(id);
    }
  }
  for (const id of filters.keys()) {
    if (!used.has(id)) throw new MongoCommandError(9, `The array filter for identifier '${id}' was not used in the update ${JSON.stringify(mods)}`);
  }
  const c = firstConflict(all.map((p) => p.path.split('.')));
  if (c) throw new MongoCommandError(40, `Updating the path '${c[1]}' would create a conflict at '${c[0]}'`);
  return filters;
}

const child = (v: unknown, key: string): unknown => {
  if (Array.isArray(v)) return /^\d+$/.test(key) ? v[Number(key)] : undefined;
  return isPlainDoc(v) ? v[key] : undefined;
};

/** Query conditions on `field` or below it (top level and inside `$and`), as separate filters. */
function conditionsOn(query: Doc, field: string): Doc[] {
  const out: Doc[] = [];
  const visit = (q: Doc): void => {
    for (const [k, v] of Object.entries(q)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const c of v) if (isPlainDoc(c)) visit(c);
      } else if (k === field || k.startsWith(`${field}.`)) {
        out.push({ [k]: v });
      }
    }
  };
  visit(query);
  return out;
}

/**
 * The index of the element of `arr` (found at `field`) that the query matched: the first element
 * that satisfies every query condition on the array, else the first satisfying the last one
 * (MongoDB leaves the choice undefined when several conditions on one array match different
 * elements; use $elemMatch to be exact). Conditions inside a top-level `$or` count when the
 * branch holding them matches an element.
 */
function positionalIndex(query: Doc | undefined, field: string, arr: unknown[]): number {
  const notFound = (): never => {
    throw new MongoCommandError(2, 'The positional operator did not find the match needed from the query.');
  };
  if (!query) return notFound();
  const single = (i: number): Doc => {
    const d: Doc = {};
    setPath(d, field, [arr[i]]);
    return d;
  };
  const compile = (conds: Doc[]): Query[] => {
    try {
      return conds.map((c) => new Query(c, mingoOptions()));
    } catch (e) {
      throw toMongoError(e);
    }
  };
  const tests = compile(conditionsOn(query, field));
  if (tests.length > 0) {
    for (let i = 0; i < arr.length; i++) if (tests.every((t) => t.test(single(i)))) return i;
    const last = tests[tests.length - 1]!;
    for (let i = 0; i < arr.length; i++) if (last.test(single(i))) return i;
    return notFound();
  }
  for (const branch of Array.isArray(query.$or) ? query.$or : []) {
    if (!isPlainDoc(branch)) continue;
    const bt = compile(conditionsOn(branch, field));
    if (bt.length === 0) continue;
    for (let i = 0; i < arr.length; i++) if (bt.every((t) => t.test(single(i)))) return i;
  }
  return notFound();
}

/** Concrete paths (as components) that `parts` reaches in `doc`. */
function expand(doc: Doc, parts: string[], filters: ArrayFilters, query: Doc | undefined): string[][] {
  const out: string[][] = [];
  const walk = (cur: unknown, i: number, prefix: string[]): void => {
    if (i === parts.length) {
      out.push(prefix);
      return;
    }
    const c = parts[i]!;
    const isPos = c === '$';
    const m = FILTER_COMPONENT.exec(c);
    if (!isPos && !m) {
      walk(child(cur, c), i + 1, [...prefix, c]);
      return;
    }
    const at = prefix.join('.');
    // An upsert's insert has no matched element, whatever shape the seeded document has.
    if (isPos && !query) throw new MongoCommandError(2, 'The positional operator did not find the match needed from the query.');
    if (cur === undefined) {
      if (isPos) throw new MongoCommandError(2, 'The positional operator did not find the match needed from the query.');
      throw new MongoCommandError(2, `The path '${at}' must exist in the document in order to apply array updates.`);
    }
    if (!Array.isArray(cur)) {
      throw new MongoCommandError(2, `Cannot apply array updates to non-array element ${prefix[prefix.length - 1] ?? at}: ${JSON.stringify(cur)}`);
    }
    if (isPos) {
      const idx = positionalIndex(query, at, cur);
      walk(cur[idx], i + 1, [...prefix, String(idx)]);
      return;
    }
    const id = m![1]!;
    const test = id === '' ? undefined : filters.get(id);
    for (let k = 0; k < cur.length; k++) {
      if (test && !test.test({ [id]: cur[k] })) continue;
      walk(cur[k], i + 1, [...prefix, String(k)]);
    }
  };
  try {
    walk(doc, 0, []);
  } catch (e) {
    throw toMongoError(e);
  }
  return out;
}

const needsExpansion = (path: string): boolean => path.split('.').some((c) => c === '$' || FILTER_COMPONENT.test(c));

/**
 * Rewrites an operator update for one document (as it is before the update) so that no positional
 * component is left: each `$`, `$[]` and `$[id]` path becomes the concrete paths it reaches. Paths
 * that reach no element disappear, and so do operators left with none. `query` is the statement's
 * filter; pass undefined when the document is being inserted by an upsert (no element matched).
 */
export function resolvePositionalPaths(doc: Doc, mods: Doc, filters: ArrayFilters, query: Doc | undefined): Doc {
  let any = false;
  for (const spec of Object.values(mods)) for (const p of Object.keys(spec as Doc)) if (needsExpansion(p)) any = true;
  if (!any) return mods;
  const out: Doc = {};
  const concrete: string[][] = [];
  for (const [op, spec] of Object.entries(mods)) {
    const next: Doc = {};
    for (const [path, v] of Object.entries(spec as Doc)) {
      if (!needsExpansion(path)) {
        next[path] = v;
        concrete.push(path.split('.'));
        if (op === '$rename' && typeof v === 'string') concrete.push(v.split('.'));
        continue;
      }
      for (const parts of expand(doc, path.split('.'), filters, query)) {
        next[parts.join('.')] = v;
        concrete.push(parts);
      }
    }
    if (Object.keys(next).length > 0) out[op] = next;
  }
  const c = firstConflict(concrete);
  if (c) throw new MongoCommandError(40, `Update created a conflict at '${c[1]}'`);
  return out;
}
