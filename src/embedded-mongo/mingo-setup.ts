/**
 * mingo configured for MongoDB fidelity: our own `$sort` (MongoDB's cross-type order and array
 * sort keys) and `$type` (BSON type numbers, ObjectId), scripts disabled, and a pre-check that
 * refuses operators mingo cannot evaluate instead of letting it answer wrongly.
 */
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query as QueryBase } from 'mingo/query';
import type { AnyObject, Options } from 'mingo/types';
import * as updater from 'mingo/updater';
import { Lazy } from 'mingo/lazy';
import { MongoCommandError } from './errors.js';
import { makeSortComparator, matchesType, pathValues, valueKey, type Doc } from './types-bridge.js';

type LazyIter = ReturnType<typeof Lazy>;

const sortStage = (coll: LazyIter, spec: Doc): LazyIter => {
  if (spec === null || typeof spec !== 'object' || Object.keys(spec).length === 0) {
    throw new MongoCommandError(15976, '$sort stage must have at least one sort key');
  }
  const cmp = makeSortComparator(spec);
  return coll.transform((arr: unknown[]) => Lazy((arr as Doc[]).slice().sort(cmp)));
};

/** `$type` aliases for the numeric BSON types, which the engine does not keep apart (1.0 is stored as 1). */
const NUMERIC_SUBTYPES = new Set<unknown>(['double', 'int', 'long', 1, 16, 18]);

const typeQuery = (selector: string, value: unknown) => {
  if ((Array.isArray(value) ? value : [value]).some((t) => NUMERIC_SUBTYPES.has(t))) {
    throw new MongoCommandError(
      115,
      `$type ${JSON.stringify(value)} is not supported by the embedded engine: it does not keep int32, int64 and double apart (1.0 is stored as 1); use $type: 'number' or real MongoDB`,
    );
  }
  return typeQueryOf(selector, value);
};

const typeQueryOf = (selector: string, value: unknown) => (doc: Doc): boolean => {
  const vals = pathValues(doc, selector);
  // $type matches an array field itself as 'array' as well as its elements.
  const whole = selector.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Doc)[p] : undefined), doc);
  if (Array.isArray(whole)) vals.push(whole);
  return matchesType(vals, value);
};

/** Bit positions of a `$bits*` mask: a non-negative integer, an array of positions, or BinData. */
function maskPositions(op: string, mask: unknown): number[] {
  const bad = () => new MongoCommandError(2, `${op} takes an Array, a number, or a BinData but received: ${JSON.stringify(mask)}`);
  if (typeof mask === 'number') {
    if (!Number.isInteger(mask) || mask < 0) throw bad();
    const out: number[] = [];
    for (let i = 0, b = BigInt(mask); b > 0n; i++, b >>= 1n) if (b & 1n) out.push(i);
    return out;
  }
  if (Array.isArray(mask)) {
    if (!mask.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) throw bad();
    return mask as number[];
  }
  if (mask && typeof mask === 'object' && (mask as { _bsontype?: string })._bsontype === 'Binary') return bytePositions((mask as { buffer: Uint8Array }).buffer);
  throw bad();
}

function bytePositions(bytes: Uint8Array): number[] {
  const out: number[] = [];
  bytes.forEach((byte, i) => {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push(i * 8 + bit);
  });
  return out;
}

/** Whether bit `i` of a value is set (two's complement for integers, little-endian bytes for BinData); undefined = not testable. */
function bitTester(v: unknown): ((i: number) => boolean) | undefined {
  let big: bigint | undefined;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return undefined;
    big = BigInt(v);
  } else if (typeof v === 'bigint') big = v;
  else if (v && typeof v === 'object') {
    const t = (v as { _bsontype?: string })._bsontype;
    if (t === 'Long') big = (v as { toBigInt(): bigint }).toBigInt();
    else if (t === 'Int32' || t === 'Double') return bitTester(Number((v as { valueOf(): unknown }).valueOf()));
    else if (t === 'Binary') {
      const bytes = (v as { buffer: Uint8Array }).buffer;
      return (i) => (i >> 3 < bytes.length ? ((bytes[i >> 3]! >> (i & 7)) & 1) === 1 : false);
    }
  }
  if (big === undefined) return undefined;
  const negative = big < 0n;
  const u = BigInt.asUintN(64, big);
  return (i) => (i >= 64 ? negative : ((u >> BigInt(i)) & 1n) === 1n);
}

const bitsQuery = (op: string, test: (positions: number[], set: (i: number) => boolean) => boolean) => (selector: string, value: unknown) => {
  const positions = maskPositions(op, value);
  return (doc: Doc): boolean =>
    pathValues(doc, selector).some((v) => {
      const t = bitTester(v);
      return t !== undefined && test(positions, t);
    });
};

const isBinary = (v: unknown): boolean => !!v && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'Binary';

/** Equality with BinData compares the subtype too (mingo compares only the bytes). Set by `prepareFilter`. */
const binaryEquals = (selector: string, value: unknown) => {
  const key = valueKey(value);
  return (doc: Doc): boolean => pathValues(doc, selector).some((v) => valueKey(v) === key);
};

const BITS_QUERIES = {
  $__binaryEq: binaryEquals,
  $bitsAllSet: bitsQuery('$bitsAllSet', (p, t) => p.every(t)),
  $bitsAnySet: bitsQuery('$bitsAnySet', (p, t) => p.some(t)),
  $bitsAllClear: bitsQuery('$bitsAllClear', (p, t) => p.every((i) => !t(i))),
  $bitsAnyClear: bitsQuery('$bitsAnyClear', (p, t) => p.some((i) => !t(i))),
};

const BSON_TYPE_NAMES: Record<string, string> = {
  objectid: 'objectId', binary: 'binData', uuid: 'binData', timestamp: 'timestamp', minkey: 'minKey', maxkey: 'maxKey',
  decimal128: 'decimal', int32: 'int', double: 'double', long: 'long', object: 'object',
};

/** `$type` as an expression: mingo names BSON classes in lower case ('objectid'); MongoDB does not. */
const typeExpression = (obj: unknown, expr: unknown, options: unknown): string => {
  const base = (expressionOperators as unknown as Record<string, (o: unknown, e: unknown, opt: unknown) => string>).$type!;
  const t = base(obj, expr, options);
  return BSON_TYPE_NAMES[t] ?? t;
};

// mingo's own entry point merges contexts first-wins, so overrides must be built into one context.
const CONTEXT = Context.init({
  accumulator: accumulatorOperators as never,
  expression: { ...(expressionOperators as object), $type: typeExpression } as never,
  pipeline: { ...(pipelineOperators as object), $sort: sortStage } as never,
  projection: projectionOperators as never,
  query: { ...(queryOperators as object), $type: typeQuery, ...BITS_QUERIES } as never,
  window: windowOperators as never,
});

export function mingoOptions(extra: Partial<Options> = {}): Partial<Options> {
  return { idKey: '_id', scriptEnabled: false, context: CONTEXT, ...extra };
}

/** mingo's Query bound to the engine's operator set. */
export class Query extends QueryBase<AnyObject> {
  constructor(condition: AnyObject, options: Partial<Options> = mingoOptions()) {
    super(condition as never, { ...mingoOptions(), ...options } as never);
  }
}

/** mingo's Aggregator bound to the engine's operator set. */
export class Aggregator extends AggregatorBase {
  constructor(pipeline: AnyObject[], options: Partial<Options> = mingoOptions()) {
    super(pipeline, { ...mingoOptions(), ...options } as never);
  }
}

/** Applies update operators in place; returns the changed paths (empty = no-op). */
export function applyOperators(obj: AnyObject, mods: AnyObject, arrayFilters?: AnyObject[], condition?: AnyObject): string[] {
  const { $pull, ...rest } = mods as Doc;
  const changed = Object.keys(rest).length
    ? updater.update(obj, rest as never, arrayFilters, condition as never, { queryOptions: mingoOptions() as never })
    : [];
  if ($pull !== undefined) changed.push(...applyPull(obj as Doc, $pull as Doc));
  return changed;
}

const isPlainObject = (v: unknown): v is Doc =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && !(v as { _bsontype?: string })._bsontype;

/** Operators that take a path's value (`{$gte: 6}`), as opposed to `$and`/`$or`/`$nor`/`$expr` that take a document. */
const PATH_OPERATORS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$type', '$mod', '$regex', '$options', '$size',
  '$all', '$elemMatch', '$not', '$bitsAllSet', '$bitsAnySet', '$bitsAllClear', '$bitsAnyClear',
]);

/**
 * `$pull` as MongoDB's server does it: a document condition whose first field is not a path operator
 * (`{score: 8, item: 'B'}`, `{$or: [...]}`) is a query each document element must match (other
 * elements never match); an operator condition (`{$gte: 6}`) or a regex is matched against each
 * element's value; anything else is equality. mingo compares documents for equality instead.
 */
function applyPull(obj: Doc, spec: Doc): string[] {
  const changed: string[] = [];
  for (const [path, cond] of Object.entries(spec)) {
    let matches: (el: unknown) => boolean;
    if (isPlainObject(cond) && Object.keys(cond).length > 0 && !PATH_OPERATORS.has(Object.keys(cond)[0]!)) {
      const q = new Query(cond);
      matches = (el) => isPlainObject(el) && q.test(el);
    } else if (isPlainObject(cond) || cond instanceof RegExp) {
      const q = new Query({ v: cond });
      matches = (el) => q.test({ v: el });
    } else {
      const key = valueKey(cond);
      matches = (el) => valueKey(el) === key;
    }
    const parts = path.split('.');
    let parent: unknown = obj;
    for (const p of parts.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') {
        parent = undefined;
        break;
      }
      parent = (parent as Doc)[p];
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = parts[parts.length - 1]!;
    const arr = (parent as Doc)[last];
    if (arr === undefined) continue;
    if (!Array.isArray(arr)) throw new MongoCommandError(2, `Cannot apply $pull to a non-array value`);
    const kept = arr.filter((el) => !matches(el));
    if (kept.length !== arr.length) {
      (parent as Doc)[last] = kept;
      changed.push(path);
    }
  }
  return changed;
}

const UNSUPPORTED_QUERY_OPS = new Set([
  '$text', '$near', '$nearSphere', '$geoWithin', '$geoIntersects', '$where', '$jsonSchema', '$sampleRate',
]);

/**
 * Walks a filter: strips a top-level `$comment` (mingo rejects it, MongoDB ignores it) and refuses
 * operators the engine cannot evaluate. Returns the filter to hand to mingo.
 */
export function prepareFilter(filter: unknown): Doc {
  if (filter === undefined || filter === null) return {};
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw new MongoCommandError(14, "BSON field 'filter' is the wrong type, expected type 'object'");
  }
  let f = filter as Doc;
  if ('$comment' in f) {
    f = { ...f };
    delete f.$comment;
  }
  checkOps(f, 0);
  return rewriteAll(f);
}

/**
 * `{field: {$all: [a, b]}}` is `{$and: [{field: a}, {field: b}]}` in MongoDB (each element matched
 * with equality's array rules, or as `$elemMatch`), so a scalar field holding `a` matches `$all: [a]`;
 * mingo requires an array. An empty `$all` matches nothing.
 */
function rewriteAll(f: Doc): Doc {
  let out: Doc | null = null;
  const extra: Doc[] = [];
  for (const k of Object.keys(f)) {
    const v = f[k];
    let nv: unknown = v;
    if (k === '$and' || k === '$or' || k === '$nor') {
      if (Array.isArray(v)) nv = v.map((c) => (isPlainObject(c) ? rewriteAll(c) : c));
    } else if (!k.startsWith('$') && isBinary(v)) {
      nv = { $__binaryEq: v };
    } else if (!k.startsWith('$') && isPlainObject(v)) {
      let ops: Doc = v;
      if (isBinary(ops.$eq)) {
        const { $eq, ...others } = ops;
        ops = { ...others, $__binaryEq: $eq };
      }
      if (isPlainObject(ops.$elemMatch) && !PATH_OPERATORS.has(Object.keys(ops.$elemMatch)[0] ?? '')) {
        ops = { ...ops, $elemMatch: rewriteAll(ops.$elemMatch) };
      }
      if (Array.isArray(ops.$all)) {
        const { $all, ...others } = ops;
        const field = (val: unknown): Doc => Object.defineProperty({}, k, { value: val, enumerable: true, writable: true, configurable: true }) as Doc;
        const conds = ($all as unknown[]).map((e) => (isPlainObject(e) && Object.keys(e).length === 1 && isPlainObject(e.$elemMatch) ? field(e) : field({ $eq: e })));
        if (conds.length === 0) conds.push(field({ $in: [] }));
        extra.push(...conds);
        nv = Object.keys(others).length > 0 ? others : undefined;
      } else nv = ops;
    }
    if (nv !== v) {
      out ??= { ...f };
      if (nv === undefined) delete out[k];
      else out[k] = nv;
    }
  }
  if (extra.length === 0) return out ?? f;
  const base = out ?? f;
  return Object.keys(base).length === 0 ? { $and: extra } : { $and: [base, ...extra] };
}

function checkOps(v: unknown, depth: number): void {
  if (v === null || typeof v !== 'object' || depth > 100) return;
  if (Array.isArray(v)) {
    for (const e of v) checkOps(e, depth + 1);
    return;
  }
  if ((v as { _bsontype?: string })._bsontype || v instanceof Date || v instanceof RegExp) return;
  for (const k of Object.keys(v)) {
    if (UNSUPPORTED_QUERY_OPS.has(k)) {
      throw new MongoCommandError(115, `query operator ${k} is not supported by the embedded engine; use real MongoDB`);
    }
    if (k === '$expr') continue;
    checkOps((v as Doc)[k], depth + 1);
  }
}

/** MongoDB stages the engine deliberately refuses (they exist in MongoDB, so not "unrecognized"). */
export const UNSUPPORTED_STAGES = new Set([
  '$geoNear', '$search', '$searchMeta', '$vectorSearch', '$indexStats', '$collStats', '$currentOp',
  '$listSessions', '$listLocalSessions', '$changeStream', '$planCacheStats', '$merge', '$listSearchIndexes',
  '$changeStreamSplitLargeEvent', '$shardedDataDistribution', '$documents', '$listSampledQueries',
]);
