/**
 * mingo configured for MongoDB fidelity: our own `$sort` (MongoDB's cross-type order and array
 * sort keys) and `$type` (BSON type numbers, ObjectId), scripts disabled, and a pre-check that
 * refuses operators mingo cannot evaluate instead of letting it answer wrongly.
 */
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context, evalExpr } from 'mingo/core';
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
import { aggregateArith, isInt32, sumStep, toNumeric, updateArith, type Numeric } from './int64.js';
import { Double, Long } from 'bson';
import { isDoubleWrapper, unwrapDoubles } from './doubles.js';
import { compareNumbers, compareValues, getPath, isNumericValue, makeSortComparator, matchesType, pathValues, valueKey, type Doc } from './types-bridge.js';

type LazyIter = ReturnType<typeof Lazy>;

const sortStage = (coll: LazyIter, spec: Doc): LazyIter => {
  if (spec === null || typeof spec !== 'object' || Object.keys(spec).length === 0) {
    throw new MongoCommandError(15976, '$sort stage must have at least one sort key');
  }
  const cmp = makeSortComparator(spec);
  return coll.transform((arr: unknown[]) => Lazy((arr as Doc[]).slice().sort(cmp)));
};

const typeQuery = (selector: string, value: unknown) => typeQueryOf(selector, value);

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
  const n = typeof mask === 'object' && mask !== null && (mask as { _bsontype?: string })._bsontype === 'Binary' ? undefined : toNumeric(mask);
  if (n !== undefined) {
    if ((typeof n === 'number' && !Number.isInteger(n)) || n < 0) throw bad();
    const out: number[] = [];
    for (let i = 0, b = BigInt(n); b > 0n; i++, b >>= 1n) if (b & 1n) out.push(i);
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

type QueryOp = (selector: string, value: unknown, options: unknown) => (doc: Doc) => boolean;
const mingoQuery = queryOperators as unknown as Record<string, QueryOp>;

/**
 * Whether a document holds a bigint or a `Double` (an integral double, see doubles.ts) where a selector leads (through arrays, as pathValues walks),
 * without allocating: the comparison operators ask it for every document they test.
 */
function specialNumberProbe(selector: string): (doc: Doc) => boolean {
  const parts = selector.split('.');
  const atEnd = (v: unknown): boolean => {
    if (typeof v === 'bigint' || isDoubleWrapper(v)) return true;
    if (Array.isArray(v)) for (const e of v) if (typeof e === 'bigint' || isDoubleWrapper(e)) return true;
    return false;
  };
  if (parts.length === 1) {
    const k = parts[0]!;
    return (doc) => atEnd(doc[k]);
  }
  const walk = (v: unknown, i: number): boolean => {
    if (i === parts.length) return atEnd(v);
    if (v === null || typeof v !== 'object') return false;
    if (Array.isArray(v)) {
      if (/^\d+$/.test(parts[i]!) && walk(v[Number(parts[i])], i + 1)) return true;
      for (const e of v) if (e !== null && typeof e === 'object' && !Array.isArray(e) && walk(e, i)) return true;
      return false;
    }
    return walk((v as Doc)[parts[i]!], i + 1);
  };
  return (doc) => walk(doc, 0);
}

/**
 * Comparison operators that compare numbers by value across int32, int64 (bigint) and double, as
 * MongoDB does (`{a: 1}` matches `1n` and `Double(1)`, `{a: {$gt: 2n ** 60n}}` is exact). mingo
 * compares a bigint or a `Double` only with its own kind (and orders two bigints by their decimal
 * strings), so whenever one is on either side the comparison is ours; every other case stays mingo's.
 */
const numericComparison = (name: string, test: (c: number) => boolean): QueryOp => (selector, value, options) => {
  const base = mingoQuery[name]!(selector, value, options);
  // BinData orders by length, then subtype, then bytes (mingo compares the bytes as text).
  if (isBinary(value) && name !== '$eq') return (doc) => pathValues(doc, selector).some((v) => isBinary(v) && test(compareValues(v, value)));
  const operand = toNumeric(value);
  if (operand === undefined || (typeof operand === 'number' && Number.isNaN(operand))) return base;
  const ours = (doc: Doc): boolean => pathValues(doc, selector).some((v) => isNumericValue(v) && test(compareNumbers(v, operand)));
  if (typeof operand === 'bigint') return ours;
  const probe = specialNumberProbe(selector);
  return (doc) => (probe(doc) ? ours(doc) : base(doc));
};

/** `$in` whose list holds numbers: a member equal by value matches too (mingo never matches a bigint or `Double` to a number). */
const numericIn = (negate: boolean): QueryOp => (selector, value, options) => {
  const base = mingoQuery.$in!(selector, value, options);
  const nums = (Array.isArray(value) ? value.map(toNumeric) : []).filter((v): v is Numeric => v !== undefined && !(typeof v === 'number' && Number.isNaN(v)));
  if (nums.length === 0) return negate ? (doc) => !base(doc) : base;
  const bigOperand = nums.some((v) => typeof v === 'bigint');
  const probe = specialNumberProbe(selector);
  const matches = (doc: Doc): boolean => {
    if (base(doc)) return true;
    if (!bigOperand && !probe(doc)) return false;
    return pathValues(doc, selector).some((v) => isNumericValue(v) && nums.some((n) => compareNumbers(v, n) === 0));
  };
  return negate ? (doc) => !matches(doc) : matches;
};

const NUMERIC_QUERIES = {
  $eq: numericComparison('$eq', (c) => c === 0),
  $gt: numericComparison('$gt', (c) => c > 0),
  $gte: numericComparison('$gte', (c) => c >= 0),
  $lt: numericComparison('$lt', (c) => c < 0),
  $lte: numericComparison('$lte', (c) => c <= 0),
  $in: numericIn(false),
  $nin: numericIn(true),
};
// $ne is the negation of our $eq (mingo's own $ne would not see 1 and 1n as equal).
const NE_QUERY: QueryOp = (selector, value, options) => {
  const eq = NUMERIC_QUERIES.$eq(selector, value, options);
  return (doc) => !eq(doc);
};

type ExprOp = (obj: unknown, expr: unknown, options: unknown) => unknown;

/** Values mingo's own operators mishandle: int64 (bigint) and integral doubles (`Double`). */
const isSpecialNumber = (v: unknown): boolean => typeof v === 'bigint' || isDoubleWrapper(v);
const mingoExpr = expressionOperators as unknown as Record<string, ExprOp>;

/**
 * `$add`, `$subtract`, `$multiply` with an int64 operand: exact bigint arithmetic with MongoDB's
 * widening (int64 + int32 = int64, beyond int64 = double). Without a bigint, mingo's operator.
 */
const bigintArith = (name: '$add' | '$subtract' | '$multiply', op: '+' | '-' | '*'): ExprOp => (obj, expr, options) => {
  const values = evalExpr(obj as never, expr as never, options as never) as unknown;
  if (!Array.isArray(values) || !values.some(isSpecialNumber)) return mingoExpr[name]!(obj, expr, options);
  if (values.some((v) => v === null || v === undefined)) return null;
  if (values.some((v) => v instanceof Date)) return mingoExpr[name]!(obj, values.map((v) => (isSpecialNumber(v) ? Number(toNumeric(v)) : v)), options);
  if (name === '$subtract' && values.length !== 2) throw new MongoCommandError(16020, `Expression $subtract takes exactly 2 arguments. ${values.length} were passed in.`);
  let acc: unknown;
  for (const v of values) {
    if (toNumeric(v) === undefined) throw new MongoCommandError(16554, `${name} only supports numeric or date types, not ${typeof v}`);
    acc = acc === undefined ? v : aggregateArith(op, acc, v);
  }
  return acc ?? (op === '*' ? 1 : 0);
};

/** Expression comparisons with an int64 operand: by value across numeric types, in BSON order otherwise. */
const bigintCompare = (name: string, test: (c: number) => unknown): ExprOp => (obj, expr, options) => {
  const values = evalExpr(obj as never, expr as never, options as never) as unknown;
  if (!Array.isArray(values) || values.length !== 2 || !values.some(isSpecialNumber)) return mingoExpr[name]!(obj, expr, options);
  return test(compareValues(values[0], values[1]));
};

const BIGINT_EXPRESSIONS = {
  $add: bigintArith('$add', '+'),
  $subtract: bigintArith('$subtract', '-'),
  $multiply: bigintArith('$multiply', '*'),
  $eq: bigintCompare('$eq', (c) => c === 0),
  $ne: bigintCompare('$ne', (c) => c !== 0),
  $gt: bigintCompare('$gt', (c) => c > 0),
  $gte: bigintCompare('$gte', (c) => c >= 0),
  $lt: bigintCompare('$lt', (c) => c < 0),
  $lte: bigintCompare('$lte', (c) => c <= 0),
  $cmp: bigintCompare('$cmp', (c) => (c < 0 ? -1 : c > 0 ? 1 : 0)),
};

type AccOp = (coll: unknown[], expr: unknown, options: unknown) => unknown;
const mingoAcc = accumulatorOperators as unknown as Record<string, AccOp>;

/** `$sum`/`$avg` accumulators over int64 values (mingo skips bigints as non-numbers). */
const bigintAccumulator = (name: '$sum' | '$avg'): AccOp => (coll, expr, options) => {
  if (typeof expr === 'number' || typeof expr === 'bigint') {
    if (name === '$avg') return Number(expr);
    return typeof expr === 'bigint' ? aggregateArith('*', expr, BigInt(coll.length)) : mingoAcc.$sum!(coll, expr, options);
  }
  const values = mingoAcc.$push!(coll, expr, options) as unknown[];
  if (!values.some(isSpecialNumber)) return mingoAcc[name]!(coll, expr, options);
  let total: Numeric = 0;
  let count = 0;
  for (const v of values) {
    const n = toNumeric(v);
    if (n === undefined) continue;
    total = sumStep(total, n);
    count++;
  }
  if (name === '$sum') return total;
  return count === 0 ? null : Number(total) / count;
};

const BIGINT_ACCUMULATORS = { $sum: bigintAccumulator('$sum'), $avg: bigintAccumulator('$avg') };

const BSON_TYPE_NAMES: Record<string, string> = {
  objectid: 'objectId', binary: 'binData', uuid: 'binData', timestamp: 'timestamp', minkey: 'minKey', maxkey: 'maxKey',
  decimal128: 'decimal', int32: 'int', double: 'double', long: 'long', object: 'object',
};

/** `$type` as an expression: mingo names BSON classes in lower case ('objectid'); MongoDB does not. */
const typeExpression = (obj: unknown, expr: unknown, options: unknown): string => {
  const v = evalExpr(obj as never, expr as never, options as never) as unknown;
  // Numbers as the serializer will write them: int32 when integral within range, else double; bigint is int64.
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'number') return isInt32(v) ? 'int' : 'double';
  const base = (expressionOperators as unknown as Record<string, (o: unknown, e: unknown, opt: unknown) => string>).$type!;
  const t = base(obj, expr, options);
  return BSON_TYPE_NAMES[t] ?? t;
};

// mingo's own entry point merges contexts first-wins, so overrides must be built into one context.
const CONTEXT = Context.init({
  accumulator: { ...(accumulatorOperators as object), ...BIGINT_ACCUMULATORS } as never,
  expression: { ...(expressionOperators as object), ...BIGINT_EXPRESSIONS, $type: typeExpression } as never,
  pipeline: { ...(pipelineOperators as object), $sort: sortStage } as never,
  projection: projectionOperators as never,
  query: { ...(queryOperators as object), ...NUMERIC_QUERIES, $ne: NE_QUERY, $type: typeQuery, ...BITS_QUERIES } as never,
  window: windowOperators as never,
});

export function mingoOptions(extra: Partial<Options> = {}): Partial<Options> {
  return { idKey: '_id', scriptEnabled: false, context: CONTEXT, ...extra };
}

/**
 * mingo's Query builds an error message with JSON.stringify of the whole condition before it looks
 * at it, which throws on a bigint; conditions reach it with int64 operands as `Long`, which the
 * engine's comparison operators read back as bigint. Returns the same object when there is none.
 */
export function bigintsToLongs<T>(v: T, depth = 0): T {
  if (typeof v === 'bigint') return Long.fromBigInt(v) as T;
  if (v === null || typeof v !== 'object' || depth > 100) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    v.forEach((e, i) => {
      const c = bigintsToLongs(e, depth + 1);
      if (c !== e) (out ??= v.slice())[i] = c;
    });
    return (out ?? v) as T;
  }
  if (!isPlainObject(v)) return v;
  let out: Doc | null = null;
  for (const k of Object.keys(v)) {
    const e = (v as Doc)[k];
    const c = bigintsToLongs(e, depth + 1);
    if (c !== e) {
      out ??= Object.defineProperties({}, Object.getOwnPropertyDescriptors(v)) as Doc;
      out[k] = c;
    }
  }
  return (out ?? v) as T;
}

/** mingo's Query bound to the engine's operator set. */
export class Query extends QueryBase<AnyObject> {
  constructor(condition: AnyObject, options: Partial<Options> = mingoOptions()) {
    super(bigintsToLongs(condition) as never, { ...mingoOptions(), ...options } as never);
  }
}

/** mingo's Aggregator bound to the engine's operator set (int64 operands of `$match` as in `Query`). */
export class Aggregator extends AggregatorBase {
  constructor(pipeline: AnyObject[], options: Partial<Options> = mingoOptions()) {
    super(
      pipeline.map((st) => (isPlainObject(st) && '$match' in st ? bigintsToLongs(st) : st)),
      { ...mingoOptions(), ...options } as never,
    );
  }

  /** mingo sees integral doubles as plain numbers (their values are what its operators need). */
  override run<T extends AnyObject>(collection: Parameters<AggregatorBase['run']>[0], options?: Options): T[] {
    const input = Array.isArray(collection) ? collection.map((d: unknown) => unwrapDoubles(d)) : collection;
    return super.run<T>(input as never, options);
  }
}

/** Applies update operators in place; returns the changed paths (empty = no-op). */
export function applyOperators(obj: AnyObject, mods: AnyObject, arrayFilters?: AnyObject[], condition?: AnyObject): string[] {
  const { $pull, ...rest } = binarySets(obj as Doc, arraySetUpdates(obj as Doc, numericUpdates(obj as Doc, mods as Doc)));
  const direct = (rest.$__direct as string[] | undefined) ?? [];
  delete rest.$__direct;
  const changed = Object.keys(rest).length
    ? updater.update(obj, rest as never, arrayFilters, condition as never, { queryOptions: mingoOptions() as never })
    : [];
  changed.push(...direct);
  if ($pull !== undefined) changed.push(...applyPull(obj as Doc, $pull as Doc));
  return changed;
}

/**
 * `$inc`/`$mul`/`$min`/`$max` entries that involve an int64 (or an int32 result that overflows into
 * one) are computed here with MongoDB's arithmetic and handed to mingo as `$set`, which creates the
 * path and reports the change; the rest stay mingo's. Paths are concrete by now (positional
 * operators resolved).
 */
function numericUpdates(obj: Doc, mods: Doc): Doc {
  let out: Doc | null = null;
  const setOf = (): Doc => {
    out ??= { ...mods };
    out.$set = { ...((out.$set as Doc | undefined) ?? {}) };
    return out.$set as Doc;
  };
  for (const op of ['$inc', '$mul', '$min', '$max'] as const) {
    const spec = mods[op];
    if (spec === null || typeof spec !== 'object') continue;
    let rest: Doc | null = null;
    for (const [path, amount] of Object.entries(spec as Doc)) {
      const current = getPath(obj, path);
      const a = toNumeric(amount);
      const c = toNumeric(current);
      let value: unknown;
      let take = false;
      if (op === '$inc' || op === '$mul') {
        if (a === undefined) continue; // mingo refuses a non-numeric argument
        if (current !== undefined && c === undefined) {
          if (!isSpecialNumber(amount)) continue;
          throw new MongoCommandError(14, `Cannot apply ${op} to a value of non-numeric type. The field '${path}' has a non-numeric value`);
        }
        if (current === undefined) {
          // A missing field takes the amount ($inc) or a zero of the amount's type ($mul).
          take = isSpecialNumber(amount);
          value = op === '$inc' ? amount : typeof a === 'bigint' ? 0n : isDoubleWrapper(amount) ? new Double(0) : 0;
        } else {
          value = updateArith(op, current, amount, path);
          // mingo adds plain numbers; anything typed (int64, Double, or an int32 overflow) is ours.
          take = isSpecialNumber(amount) || isSpecialNumber(current) || isSpecialNumber(value);
        }
      } else if (isSpecialNumber(amount) || isSpecialNumber(current)) {
        take = true;
        const cmp = current === undefined ? (op === '$min' ? -1 : 1) : compareValues(amount, current);
        value = (op === '$min' ? cmp < 0 : cmp > 0) ? amount : current;
        if (value === current) {
          rest ??= { ...(spec as Doc) };
          delete rest[path];
          continue;
        }
      }
      if (!take) continue;
      setOf()[path] = value;
      rest ??= { ...(spec as Doc) };
      delete rest[path];
    }
    if (rest) {
      out ??= { ...mods };
      if (Object.keys(rest).length === 0) delete out[op];
      else out[op] = rest;
    }
  }
  const result: Doc = out ?? mods;
  if (isPlainObject(result.$set) && Object.keys(result.$set).length === 0) delete result.$set;
  return result;
}

/**
 * `$addToSet` and `$pullAll` with MongoDB's equality (`valueKey`: 1, 1n and 1.0 are one value,
 * documents compare field by field in order), computed here and handed to mingo as `$set`; mingo
 * compares a `Double` or bigint with a number by class. Paths are concrete; type errors were raised
 * before (crud's checkOperandTypes).
 */
function arraySetUpdates(obj: Doc, mods: Doc): Doc {
  if (!isPlainObject(mods.$addToSet) && !isPlainObject(mods.$pullAll)) return mods;
  const out: Doc = { ...mods };
  const set: Doc = { ...((mods.$set as Doc | undefined) ?? {}) };
  if (isPlainObject(mods.$addToSet)) {
    for (const [path, spec] of Object.entries(mods.$addToSet)) {
      const items = isPlainObject(spec) && Object.keys(spec)[0] === '$each' ? spec.$each : [spec];
      if (!Array.isArray(items)) throw new MongoCommandError(2, `The argument to $each in $addToSet must be an array but it was of type ${typeof items}`);
      const current = getPath(obj, path);
      const arr = Array.isArray(current) ? current.slice() : [];
      const seen = new Set(arr.map(valueKey));
      for (const it of items) {
        const k = valueKey(it);
        if (!seen.has(k)) {
          seen.add(k);
          arr.push(it);
        }
      }
      set[path] = arr;
    }
    delete out.$addToSet;
  }
  if (isPlainObject(mods.$pullAll)) {
    for (const [path, values] of Object.entries(mods.$pullAll)) {
      if (!Array.isArray(values)) throw new MongoCommandError(2, `$pullAll requires an array argument but was given a ${typeof values}`);
      const current = getPath(obj, path);
      if (!Array.isArray(current)) continue;
      const drop = new Set(values.map(valueKey));
      set[path] = current.filter((e) => !drop.has(valueKey(e)));
    }
    delete out.$pullAll;
  }
  if (Object.keys(set).length > 0) out.$set = set;
  return out;
}

const containsBinary = (v: unknown, depth = 0): boolean => {
  if (isBinary(v)) return true;
  if (v === null || typeof v !== 'object' || depth > 100) return false;
  if (Array.isArray(v)) return v.some((e) => containsBinary(e, depth + 1));
  return isPlainObject(v) && Object.values(v).some((e) => containsBinary(e, depth + 1));
};

/**
 * `$set` of a value holding BinData over an existing value: mingo sees two BinData with the same
 * bytes as equal whatever their subtype and skips the write, so such entries are assigned here
 * when MongoDB's equality (subtype included) says they differ. Their paths come back in `$__direct`.
 */
function binarySets(obj: Doc, mods: Doc): Doc {
  const set = mods.$set;
  if (!isPlainObject(set)) return mods;
  let rest: Doc | null = null;
  const direct: string[] = [];
  for (const [path, value] of Object.entries(set)) {
    if (!containsBinary(value)) continue;
    const current = getPath(obj, path);
    if (current === undefined) continue;
    rest ??= { ...set };
    delete rest[path];
    if (valueKey(current) === valueKey(value)) continue;
    const dot = path.lastIndexOf('.');
    const parent = (dot < 0 ? obj : getPath(obj, path.slice(0, dot))) as Doc;
    parent[path.slice(dot + 1)] = value;
    direct.push(path);
  }
  if (!rest) return mods;
  const out: Doc = { ...mods, $__direct: direct };
  if (Object.keys(rest).length === 0) delete out.$set;
  else out.$set = rest;
  return out;
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
        // A regex member matches like `{field: /re/}` (a pattern match, not equality with the regex).
        const conds = ($all as unknown[]).map((e) =>
          (isPlainObject(e) && Object.keys(e).length === 1 && isPlainObject(e.$elemMatch)) || e instanceof RegExp ? field(e) : field({ $eq: e }),
        );
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
