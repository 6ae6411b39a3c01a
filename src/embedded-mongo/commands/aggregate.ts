/**
 * aggregate: mingo runs the pipeline; the engine resolves `$lookup`/`$unionWith`/`$graphLookup`
 * collections from its own store, answers the leading `$match` from indexes, implements `$out`
 * against its storage, and refuses stages it cannot run with MongoDB's error codes.
 */
import { MongoCommandError, toMongoError } from '../errors.js';
import { compilePrefix } from '../compiled-pipeline.js';
import { Aggregator, mingoOptions, UNSUPPORTED_STAGES } from '../mingo-setup.js';
import { assertSupportedTypes, type Doc } from '../types-bridge.js';
import type { CommandContext, Handler } from './context.js';
import { batchSizeOf } from './cursors.js';
import { prepareForInsert } from './crud.js';
import { checkHint, findMatching, idFirst } from './query.js';
import { unwrapDoubles } from '../doubles.js';

const KNOWN_STAGES = new Set([
  '$addFields', '$bucket', '$bucketAuto', '$count', '$densify', '$facet', '$fill', '$graphLookup', '$group',
  '$limit', '$lookup', '$match', '$project', '$redact', '$replaceRoot', '$replaceWith', '$sample', '$set',
  '$setWindowFields', '$skip', '$sort', '$sortByCount', '$unionWith', '$unset', '$unwind', '$out',
]);

function checkPipeline(pipeline: unknown, nested: boolean): Doc[] {
  if (!Array.isArray(pipeline)) throw new MongoCommandError(14, "'pipeline' option must be specified as an array");
  pipeline.forEach((stage, i) => {
    if (stage === null || typeof stage !== 'object' || Array.isArray(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0]!;
    const spec = (stage as Doc)[name];
    if (UNSUPPORTED_STAGES.has(name)) {
      throw new MongoCommandError(115, `${name} is not supported by the embedded engine; use real MongoDB`);
    }
    if (!KNOWN_STAGES.has(name)) throw new MongoCommandError(40324, `Unrecognized pipeline stage name: '${name}'`);
    if (name === '$out') {
      if (nested) throw new MongoCommandError(31441, '$out is not allowed in a nested pipeline');
      if (i !== pipeline.length - 1) throw new MongoCommandError(40601, '$out can only be the final stage in the pipeline');
    }
    if (name === '$match') {
      // Reuse the filter checks ($text, $near... refused; $comment stripped).
      findMatching(undefined, spec);
    }
    if ((name === '$lookup' || name === '$unionWith') && spec && typeof spec === 'object' && 'pipeline' in (spec as Doc)) {
      checkPipeline((spec as Doc).pipeline, true);
    }
    if (name === '$facet' && spec && typeof spec === 'object') {
      for (const sub of Object.values(spec as Doc)) checkPipeline(sub, true);
    }
  });
  return pipeline as Doc[];
}

/** Runs a pipeline over a collection of the given database and returns all results. */
export function runPipeline(ctx: CommandContext, db: string, name: string, pipeline: Doc[]): Doc[] {
  const coll = ctx.store.getCollection(db, name);
  let input: Doc[];
  let rest = pipeline;
  const first = pipeline[0];
  if (first && '$match' in first) {
    input = findMatching(coll, first.$match);
    rest = pipeline.slice(1);
  } else {
    input = coll ? [...coll.docs.values()] : [];
  }
  if (rest.length === 0) return input;
  try {
    // Stages the compiler implements run as plain JavaScript; mingo takes over from the first it does not.
    const compiled = compilePrefix(rest);
    if (compiled.count > 0) {
      input = compiled.run(input);
      rest = rest.slice(compiled.count);
      if (rest.length === 0) return input.map(idFirst);
    }
    const agg = new Aggregator(
      rest,
      mingoOptions({
        collectionResolver: (other: string) => {
          const c = ctx.store.getCollection(db, other);
          // mingo sees integral doubles as plain numbers, on this side of a $lookup too.
          return c ? [...c.docs.values()].map((d) => unwrapDoubles(d)) : [];
        },
      }),
    );
    return (agg.run(input) as Doc[]).map(idFirst);
  } catch (e) {
    const err = toMongoError(e);
    const m = /unregistered pipeline operator (\$\w+)/.exec(err.message);
    if (m) throw new MongoCommandError(40324, `Unrecognized pipeline stage name: '${m[1]}'`);
    const op = /unknown (?:expression|accumulator) operator:? ?'?(\$\w+)/i.exec(err.message);
    if (op) throw new MongoCommandError(168, `Unrecognized expression '${op[1]}'`);
    throw err;
  }
}

const aggregate: Handler = (cmd, ctx) => {
  if (cmd.explain) throw new MongoCommandError(115, 'explain is not supported by the embedded engine');
  if (typeof cmd.aggregate !== 'string') {
    throw new MongoCommandError(115, 'database-level aggregate (aggregate: 1) is not supported by the embedded engine');
  }
  if (cmd.collation) throw new MongoCommandError(115, 'collation is not supported by the embedded engine');
  if (!cmd.cursor || typeof cmd.cursor !== 'object') {
    throw new MongoCommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const hintOrder = checkHint(ctx, cmd.aggregate, cmd.hint);
  let pipeline = checkPipeline(cmd.pipeline, false);
  // A hinted index feeds the pipeline in its key order (after the leading $match stages it serves).
  if (hintOrder && !('$natural' in hintOrder)) {
    const lead = pipeline.findIndex((st) => !('$match' in st));
    const at = lead === -1 ? pipeline.length : lead;
    if (!pipeline[at] || !('$sort' in pipeline[at]!)) pipeline = [...pipeline.slice(0, at), { $sort: hintOrder }, ...pipeline.slice(at)];
  }
  assertSupportedTypes(pipeline);
  const name = cmd.aggregate;
  const last = pipeline[pipeline.length - 1];
  ctx.stats.opcounters.command!++;
  if (last && '$out' in last) {
    const results = runPipeline(ctx, ctx.db, name, pipeline.slice(0, -1));
    const spec = last.$out;
    const target = typeof spec === 'string' ? spec : ((spec as Doc)?.coll as string);
    const targetDb = typeof spec === 'string' ? ctx.db : (((spec as Doc)?.db as string) ?? ctx.db);
    if (typeof target !== 'string') throw new MongoCommandError(16990, "$out only supports a string or object argument");
    if (targetDb !== ctx.db) throw new MongoCommandError(115, '$out to another database is not supported by the embedded engine');
    const prepared = results.map(prepareForInsert);
    const coll = ctx.store.ensureCollection(ctx.db, target);
    for (const d of [...coll.docs.values()]) ctx.store.delete(coll, d);
    for (const d of prepared) ctx.store.insert(coll, d);
    return ctx.cursors.start(`${ctx.db}.${name}`, [], undefined, true);
  }
  const results = runPipeline(ctx, ctx.db, name, pipeline);
  return ctx.cursors.start(`${ctx.db}.${name}`, results, batchSizeOf((cmd.cursor as Doc).batchSize, 'cursor.batchSize'), false);
};

export const aggregateHandlers: Record<string, Handler> = { aggregate };
