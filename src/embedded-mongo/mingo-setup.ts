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
import { makeSortComparator, matchesType, pathValues, type Doc } from './types-bridge.js';

type LazyIter = ReturnType<typeof Lazy>;

const sortStage = (coll: LazyIter, spec: Doc): LazyIter => {
  if (spec === null || typeof spec !== 'object' || Object.keys(spec).length === 0) {
    throw new MongoCommandError(15976, '$sort stage must have at least one sort key');
  }
  const cmp = makeSortComparator(spec);
  return coll.transform((arr: unknown[]) => Lazy((arr as Doc[]).slice().sort(cmp)));
};

const typeQuery = (selector: string, value: unknown) => (doc: Doc): boolean => {
  const vals = pathValues(doc, selector);
  // $type matches an array field itself as 'array' as well as its elements.
  const whole = selector.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Doc)[p] : undefined), doc);
  if (Array.isArray(whole)) vals.push(whole);
  return matchesType(vals, value);
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
  query: { ...(queryOperators as object), $type: typeQuery } as never,
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
  return updater.update(obj, mods as never, arrayFilters, condition as never, { queryOptions: mingoOptions() as never });
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
  return f;
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
