/**
 * Query planning and evaluation shared by find, count, distinct, update, delete, findAndModify and
 * aggregate's leading $match: equality on `_id` or on every field of a full (non-sparse,
 * non-partial) index is answered from the hash maps; everything else is a scan tested by mingo.
 */
import { ObjectId } from 'bson';
import { MongoCommandError, toMongoError } from '../errors.js';
import { mingoOptions, prepareFilter, Query } from '../mingo-setup.js';
import type { Collection } from '../store.js';
import type { CommandContext } from './context.js';
import { assertSupportedTypes, makeSortComparator, valueKey, type Doc } from '../types-bridge.js';

const NONE = Symbol('none');

/** The value a filter field pins by equality, if it is one a hash lookup can answer exactly. */
function equalityValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof ObjectId)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '$eq') return equalityValue((v as Doc).$eq);
    return NONE;
  }
  // null also matches missing fields and arrays holding null; leave those to the scan.
  if (v === null || v === undefined) return NONE;
  if (typeof v === 'number' && Number.isNaN(v)) return NONE;
  return v;
}

/** Documents that may match; a superset of the answer, never missing one. */
export function candidates(coll: Collection, filter: Doc): Iterable<Doc> {
  if ('_id' in filter) {
    const id = filter._id;
    const eq = equalityValue(id);
    if (eq !== NONE) {
      const d = coll.docs.get(valueKey(eq));
      return d ? [d] : [];
    }
    if (id && typeof id === 'object' && Object.keys(id).length === 1 && Array.isArray((id as Doc).$in)) {
      const vals = (id as { $in: unknown[] }).$in;
      if (vals.every((v) => equalityValue(v) !== NONE)) {
        const out: Doc[] = [];
        const seen = new Set<string>();
        for (const v of vals) {
          const k = valueKey(v);
          const d = coll.docs.get(k);
          if (d && !seen.has(k)) {
            seen.add(k);
            out.push(d);
          }
        }
        return out;
      }
    }
  }
  for (const idx of coll.indexes.values()) {
    if (!idx.usableForLookup) continue;
    const vals: unknown[] = [];
    let ok = true;
    for (const f of idx.fieldNames) {
      const eq = f in filter ? equalityValue(filter[f]) : NONE;
      if (eq === NONE) {
        ok = false;
        break;
      }
      vals.push(eq);
    }
    if (!ok) continue;
    const ids = idx.entries.get(idx.lookupKey(vals));
    if (!ids) return [];
    const out: Doc[] = [];
    for (const id of ids) {
      const d = coll.docs.get(id);
      if (d) out.push(d);
    }
    // Like an index scan in MongoDB, equal keys come back in the order they were indexed; no sort
    // here, which would cost a pass over the whole collection.
    return out;
  }
  return coll.docs.values();
}

export interface MatchOptions {
  sort?: Doc;
  skip?: number;
  limit?: number;
  collation?: Doc;
}

export function compileFilter(rawFilter: unknown, collation?: Doc): { filter: Doc; test: (d: Doc) => boolean } {
  const filter = prepareFilter(rawFilter);
  assertSupportedTypes(filter);
  if (Object.keys(filter).length === 0) return { filter, test: () => true };
  try {
    // mingo refuses `__proto__` and misreads `$id`/`$ref`/`$db` in a selector; MongoDB matches such
    // field names literally. Such filters (rare) run against copies of the documents with the name
    // replaced on both sides (see LITERAL_ALIASES).
    const proto = mentionsProto(filter);
    const q = new Query(proto ? (renameProto(filter) as Doc) : filter, mingoOptions(collation ? { collation: collation as never } : {}));
    return {
      filter,
      test: (d) => {
        try {
          return q.test(proto ? (renameProto(d) as Doc) : d);
        } catch (e) {
          throw toMongoError(e);
        }
      },
    };
  } catch (e) {
    throw toMongoError(e);
  }
}

/**
 * Field names mingo cannot take in a selector although MongoDB matches them literally: `__proto__`
 * (refused by mingo) and DBRef's `$ref`/`$id`/`$db` (read by mingo as operators, e.g. inside
 * `$elemMatch`). Filters naming one run against copies of the documents with the name replaced by
 * an alias on both sides.
 */
const LITERAL_ALIASES = new Map(['__proto__', '$ref', '$id', '$db'].map((k) => [k, '\u0000' + k]));
const aliasOf = (p: string): string | undefined => LITERAL_ALIASES.get(p);

export function mentionsProto(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || (v as { _bsontype?: string })._bsontype || v instanceof Date || v instanceof RegExp) return false;
  if (Array.isArray(v)) return v.some(mentionsProto);
  return Object.keys(v).some((k) => k.split('.').some((p) => aliasOf(p) !== undefined) || mentionsProto((v as Doc)[k]));
}

/** A copy with every such field name (and dotted path component) replaced by its alias. */
export function renameProto(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'DBRef') {
    // The BSON decoder turns {$ref, $id, $db} into a DBRef; for matching it is that document again.
    const r = v as { collection: string; oid: unknown; db?: string; fields?: Doc };
    const asDoc: Doc = { $ref: r.collection, $id: r.oid };
    if (r.db) asDoc.$db = r.db;
    return renameProto({ ...asDoc, ...(r.fields ?? {}) });
  }
  if (v === null || typeof v !== 'object' || (v as { _bsontype?: string })._bsontype || v instanceof Date || v instanceof RegExp) return v;
  if (Array.isArray(v)) return v.map(renameProto);
  const out: Doc = {};
  for (const k of Object.keys(v)) {
    const nk = k.split('.').map((p) => aliasOf(p) ?? p).join('.');
    Object.defineProperty(out, nk, { value: renameProto((v as Doc)[k]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const ORIGINAL_NAMES = new Map([...LITERAL_ALIASES].map(([k, a]) => [a, k]));

/** The inverse of `renameProto` for documents: aliases back to the literal names, as own properties. */
export function restoreLiteralNames(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || (v as { _bsontype?: string })._bsontype || v instanceof Date || v instanceof RegExp) return v;
  if (Array.isArray(v)) return v.map(restoreLiteralNames);
  const out: Doc = {};
  for (const k of Object.keys(v)) {
    Object.defineProperty(out, ORIGINAL_NAMES.get(k) ?? k, { value: restoreLiteralNames((v as Doc)[k]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Matching documents after sort, skip and limit (0 = no limit). */
export function findMatching(coll: Collection | undefined, rawFilter: unknown, opts: MatchOptions = {}): Doc[] {
  if (opts.collation) throw new MongoCommandError(115, 'collation is not supported by the embedded engine');
  if (!coll) {
    compileFilter(rawFilter);
    return [];
  }
  const { filter, test } = compileFilter(rawFilter, opts.collation);
  const skip = opts.skip ?? 0;
  const limit = opts.limit ?? 0;
  const out: Doc[] = [];
  const hasSort = opts.sort && Object.keys(opts.sort).length > 0;
  // Without a sort we can stop as soon as skip + limit documents matched.
  const stopAt = !hasSort && limit > 0 ? skip + limit : Infinity;
  for (const d of candidates(coll, filter)) {
    if (test(d)) {
      out.push(d);
      if (out.length >= stopAt) break;
    }
  }
  if (hasSort && opts.sort!.$natural === -1 && Object.keys(opts.sort!).length === 1) out.reverse();
  else if (hasSort) out.sort(makeSortComparator(opts.sort!));
  if (skip > 0 || limit > 0) return out.slice(skip, limit > 0 ? skip + limit : undefined);
  return out;
}

/** mingo's Query used only for its projection: every document passes, the condition only serves `.$`. */
class ProjectionOnly extends Query {
  override test(): boolean {
    return true;
  }
}

const hasPositional = (projection: Doc): boolean => Object.keys(projection).some((k) => k.endsWith('.$'));

/**
 * Applies a find projection (mingo, which understands `$slice`, `$elemMatch` and positional `$`)
 * to documents the caller already selected. The documents are never filtered again: findAndModify
 * projects a post-image that may no longer match its query (MongoDB still returns it). A positional
 * `.$` needs the query to match the document, as in MongoDB.
 */
export function project(docs: Doc[], filter: Doc, projection: Doc | undefined): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  try {
    const cond = prepareFilter(filter);
    if (hasPositional(projection)) {
      const q = new Query(cond, mingoOptions());
      if (!docs.every((d) => q.test(d))) {
        throw new MongoCommandError(51246, "positional operator '.$' couldn't find a matching element in the array");
      }
    }
    const sliced = projectSlices(docs, cond, projection);
    if (sliced) return sliced;
    return new ProjectionOnly(cond, mingoOptions()).find(docs, projection).all().map((d) => idFirst(d as Doc));
  } catch (e) {
    throw toMongoError(e);
  }
}

const isSliceSpec = (v: unknown): v is { $slice: unknown } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$slice' in (v as Doc);

function sliceArray(v: unknown, spec: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (typeof spec === 'number' && Number.isInteger(spec)) return spec >= 0 ? v.slice(0, spec) : v.slice(Math.max(v.length + spec, 0));
  if (Array.isArray(spec) && spec.length === 2 && spec.every((x) => typeof x === 'number' && Number.isInteger(x))) {
    const [skip, limit] = spec as [number, number];
    if (limit <= 0) throw new MongoCommandError(28724, 'Second argument to $slice must be a positive number');
    const start = skip < 0 ? Math.max(v.length + skip, 0) : skip;
    return v.slice(start, start + limit);
  }
  throw new MongoCommandError(28667, 'Invalid $slice syntax: the argument must be a number or an array of two integers');
}

const isElemMatchSpec = (v: unknown): v is { $elemMatch: Doc } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && '$elemMatch' in (v as Doc);

/** Operators that apply to a value (`{$gte: 80}`), as opposed to a document condition (`{school: 102}`). */
const VALUE_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$type', '$mod', '$regex', '$options', '$size', '$all', '$elemMatch', '$not', '$bitsAllSet', '$bitsAnySet', '$bitsAllClear', '$bitsAnyClear']);

/** The first element an `$elemMatch` projection keeps: documents by query, values by operator condition. */
function firstElemMatch(arr: unknown, cond: Doc): unknown[] | undefined {
  if (!Array.isArray(arr)) return undefined;
  if (cond === null || typeof cond !== 'object' || Array.isArray(cond)) throw new MongoCommandError(2, '$elemMatch needs an Object');
  const prepared = prepareFilter(cond);
  const byValue = Object.keys(prepared).length > 0 && VALUE_OPERATORS.has(Object.keys(prepared)[0]!);
  const q = new Query(byValue ? { v: prepared } : prepared, mingoOptions());
  const plain = (el: unknown) => el !== null && typeof el === 'object' && !Array.isArray(el) && !(el as { _bsontype?: string })._bsontype && !(el instanceof Date);
  const found = arr.find((el) => (byValue ? q.test({ v: el }) : plain(el) && q.test(el as Doc)));
  return found === undefined ? undefined : [found];
}

/**
 * `$slice` and `$elemMatch` projections, which mingo gets wrong: `$slice` alone (or with exclusions)
 * returns every other field, with inclusions only those fields and the sliced array; `$elemMatch`
 * keeps the first matching element (value conditions such as `{$gte: 80}` included) and is an
 * inclusion. Top-level fields only; anything else is left to mingo (null = not handled here).
 */
function projectSlices(docs: Doc[], cond: Doc, projection: Doc): Doc[] | null {
  const keys = Object.keys(projection);
  const slices = keys.filter((k) => isSliceSpec(projection[k]));
  const elemMatches = keys.filter((k) => isElemMatchSpec(projection[k]));
  if (slices.length + elemMatches.length === 0 || keys.some((k) => k.includes('.') || k.startsWith('$'))) return null;
  const others = keys.filter((k) => !slices.includes(k) && !elemMatches.includes(k) && k !== '_id');
  const falsy = (v: unknown) => v === 0 || v === false;
  const dropId = '_id' in projection && falsy(projection._id);
  const applySpecial = (src: Doc, out: Doc): Doc => {
    for (const k of slices) if (k in src) out[k] = sliceArray(src[k], (projection[k] as Doc).$slice);
    for (const k of elemMatches) {
      const kept = firstElemMatch(src[k], (projection[k] as { $elemMatch: Doc }).$elemMatch);
      if (kept) out[k] = kept;
      else delete out[k];
    }
    return out;
  };
  if (elemMatches.length === 0 && others.every((k) => falsy(projection[k]))) {
    return docs.map((d) => {
      const out: Doc = { ...d };
      for (const k of others) delete out[k];
      if (dropId) delete out._id;
      return applySpecial(d, out);
    });
  }
  const base: Doc = { ...projection };
  for (const k of [...slices, ...elemMatches]) base[k] = 1;
  const projected = new ProjectionOnly(cond, mingoOptions()).find(docs, base).all() as Doc[];
  return projected.map((p, i) => idFirst(applySpecial(docs[i]!, p)));
}

/** MongoDB always returns `_id` first; mingo's inclusion projections put it last. */
export function idFirst(d: Doc): Doc {
  if (!d || typeof d !== 'object' || !('_id' in d)) return d;
  for (const k in d) {
    if (k === '_id') return d;
    break;
  }
  const { _id, ...rest } = d;
  return { _id, ...rest };
}

/**
 * `hint` must name an existing index (by name or key pattern) or `$natural`, as in MongoDB. The answer
 * is the same, but its order is the hinted index's (an index scan returns documents in key order),
 * which callers apply when there is no sort: returns the key pattern to sort by, `{$natural: -1}` for a
 * reverse collection scan, or undefined.
 */
export function checkHint(ctx: CommandContext, collection: string, hint: unknown): Doc | undefined {
  if (hint === undefined || hint === null) return undefined;
  const coll = ctx.store.getCollection(ctx.db, collection);
  if (typeof hint === 'string') {
    if (hint === '_id_') return { _id: 1 };
    const idx = coll?.indexes.get(hint);
    if (idx) return orderOf(idx.spec.key);
  } else if (typeof hint === 'object' && !Array.isArray(hint)) {
    const keys = Object.keys(hint);
    if (keys.length === 1 && keys[0] === '$natural') return (hint as Doc).$natural === -1 ? { $natural: -1 } : undefined;
    const k = valueKey(hint);
    if (k === valueKey({ _id: 1 })) return { _id: 1 };
    const idx = [...(coll?.indexes.values() ?? [])].find((i) => valueKey(i.spec.key) === k);
    if (idx) return orderOf(idx.spec.key);
  } else throw new MongoCommandError(9, 'hint must be a string or an object');
  throw new MongoCommandError(2, 'hint provided does not correspond to an existing index');
}

/** An index key pattern as a sort (only ascending/descending keys order documents). */
const orderOf = (key: Doc): Doc | undefined => (Object.values(key).every((d) => d === 1 || d === -1) ? { ...key } : undefined);
