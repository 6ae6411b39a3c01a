/**
 * insert, update, delete, findAndModify, find, count and distinct, with MongoDB's reply counts
 * (`n`, `nModified`, `upserted`), per-statement write errors and error codes.
 */
import { BSON, ObjectId } from 'bson';
import { MongoCommandError, toMongoError } from '../errors.js';
import { Aggregator, applyOperators, mingoOptions } from '../mingo-setup.js';
import { cloneDoc, type Collection } from '../store.js';
import { MAX_BSON_SIZE } from '../wire-protocol.js';
import { assertSupportedTypes, formatKeyValue, getPath, pathValues, setPath, valueKey, type Doc } from '../types-bridge.js';
import { isInt32, toNumeric } from '../int64.js';
import { doublesUnder, rewrapUnchanged, wrapDoubles } from '../doubles.js';
import type { CommandContext, Handler } from './context.js';
import { batchSizeOf } from './cursors.js';
import { candidates, checkHint, compileFilter, findMatching, idFirst, mentionsProto, project, renameProto, restoreLiteralNames } from './query.js';
import { checkUpdatePaths, resolvePositionalPaths, type ArrayFilters } from '../update-paths.js';

const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$currentDate', '$push', '$pull',
  '$pullAll', '$addToSet', '$pop', '$bit', '$setOnInsert',
]);
const PIPELINE_UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

const collName = (cmd: Doc, field: string): string => {
  const v = cmd[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new MongoCommandError(73, `collection name has invalid type ${typeof v}`);
  }
  return v;
};

function isDoc(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v as { _bsontype?: string })._bsontype && !(v instanceof Date);
}

/**
 * Wraps the integral doubles the wire found in a stored part of a command (see doubles.ts): `target`
 * is that part (an insert document, an update statement), `prefix` its path in the command body when
 * it came inside it, `under` the stored field within the target (only `u` of a statement).
 */
function keepDoubles(target: unknown, cmd: Doc, prefix: string[], under: string[] = []): void {
  const own = target !== cmd ? doublesUnder(target, under) : [];
  const fromBody = doublesUnder(cmd, [...prefix, ...under]);
  let root: unknown = target;
  for (const k of under) root = isDoc(root) ? root[k] : undefined;
  if (own.length) wrapDoubles(root, own);
  if (fromBody.length) wrapDoubles(root, fromBody);
}

/** Validates a document for storage and puts `_id` first (generating one when absent). */
export function prepareForInsert(doc: unknown): Doc {
  if (!isDoc(doc)) throw new MongoCommandError(2, 'document to insert must be an object');
  assertSupportedTypes(doc);
  // MongoDB 5+ stores $-prefixed field names (top level and nested) from inserts and upserts.
  if (Array.isArray(doc._id)) throw new MongoCommandError(2, "can't use an array for _id");
  if (doc._id instanceof RegExp) throw new MongoCommandError(2, "can't use a regex for _id");
  let out: Doc;
  if (doc._id === undefined) out = { _id: new ObjectId(), ...doc };
  else out = idFirst(doc);
  if (BSON.calculateObjectSize(out) > MAX_BSON_SIZE) {
    throw new MongoCommandError(10334, `object to insert too large. size in bytes: ${BSON.calculateObjectSize(out)}, max size: ${MAX_BSON_SIZE}`);
  }
  return out;
}

// ---------------------------------------------------------------- update core

type UpdateKind = 'operator' | 'replacement' | 'pipeline';

function updateKind(u: unknown): UpdateKind {
  if (Array.isArray(u)) {
    for (const st of u) {
      const name = isDoc(st) ? Object.keys(st)[0] : undefined;
      if (!name || !PIPELINE_UPDATE_STAGES.has(name) || Object.keys(st as Doc).length !== 1) {
        throw new MongoCommandError(
          2,
          `Invalid update pipeline stage ${name ?? JSON.stringify(st)}: only $addFields, $set, $project, $unset, $replaceRoot and $replaceWith are allowed`,
        );
      }
    }
    return 'pipeline';
  }
  if (!isDoc(u)) throw new MongoCommandError(14, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) return 'replacement';
  if (ops.length !== keys.length) {
    const plain = keys.find((k) => !k.startsWith('$'));
    throw new MongoCommandError(9, `Unknown modifier: ${plain}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  for (const k of ops) {
    if (!UPDATE_OPERATORS.has(k)) {
      throw new MongoCommandError(9, `Unknown modifier: ${k}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isDoc(u[k])) throw new MongoCommandError(9, `Modifiers operate on fields but we found type ${Array.isArray(u[k]) ? 'array' : typeof u[k]} instead. For example: {$mod: {<field>: ...}} not {${k}: ${JSON.stringify(u[k])}}`);
    for (const path of Object.keys(u[k] as Doc)) {
      if (path === '_id' || path.startsWith('_id.')) {
        if (k !== '$setOnInsert' && k !== '$set') {
          throw new MongoCommandError(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
        }
      }
      if (path.split('.').some((p) => p === '')) {
        throw new MongoCommandError(56, `An empty update path is not valid.`);
      }
    }
  }
  return 'operator';
}

function sameBytes(a: Doc, b: Doc): boolean {
  return Buffer.from(BSON.serialize(a)).equals(Buffer.from(BSON.serialize(b)));
}

function checkIdUnchanged(oldDoc: Doc, newDoc: Doc): void {
  if (valueKey(oldDoc._id) !== valueKey(newDoc._id)) {
    throw new MongoCommandError(
      66,
      `Performing an update on the path '_id' would modify the immutable field '_id'`,
    );
  }
}

/**
 * Applies an update to a copy of `oldDoc`. Returns null when nothing changed, so `nModified`
 * counts only real changes. `upsertInsert` enables `$setOnInsert`.
 */
function applyUpdate(oldDoc: Doc, u: unknown, kind: UpdateKind, filter: Doc, arrayFilters: ArrayFilters, upsertInsert: boolean): Doc | null {
  if (kind === 'replacement') {
    const rep = u as Doc;
    if ('_id' in rep && valueKey(rep._id) !== valueKey(oldDoc._id)) {
      throw new MongoCommandError(66, `The _id field cannot be changed from {_id: ${String(oldDoc._id)}} to {_id: ${String(rep._id)}}.`);
    }
    const { _id: _ignored, ...rest } = rep;
    const next = { _id: oldDoc._id, ...rest };
    return !upsertInsert && sameBytes(oldDoc, next) ? null : next;
  }
  if (kind === 'pipeline') {
    let out: Doc;
    try {
      out = new Aggregator(u as Doc[], mingoOptions()).run([cloneDoc(oldDoc)])[0] as Doc;
      rewrapUnchanged(oldDoc, out);
    } catch (e) {
      throw toMongoError(e);
    }
    if (!('_id' in out)) out = { _id: oldDoc._id, ...out };
    checkIdUnchanged(oldDoc, out);
    out = idFirst(out);
    return !upsertInsert && sameBytes(oldDoc, out) ? null : out;
  }
  const mods: Doc = { ...(u as Doc) };
  const soi = mods.$setOnInsert as Doc | undefined;
  delete mods.$setOnInsert;
  if (upsertInsert && soi && Object.keys(soi).length > 0) {
    const set = { ...((mods.$set as Doc | undefined) ?? {}) };
    for (const [k, v] of Object.entries(soi)) {
      if (k in set) throw new MongoCommandError(40, `Updating the path '${k}' would create a conflict at '${k}'`);
      set[k] = v;
    }
    mods.$set = set;
  }
  // MongoDB allows $set of _id to the value it already has (a no-op); any other value is code 66.
  // An upsert's insert may take its _id from $set/$setOnInsert, unless the query pinned another one.
  if (mods.$set && Object.prototype.hasOwnProperty.call(mods.$set, '_id')) {
    const { _id: newId, ...restSet } = mods.$set as Doc;
    if (valueKey(newId) !== valueKey(oldDoc._id)) {
      const pinned = upsertInsert && Object.prototype.hasOwnProperty.call(filter, '_id') && !(isDoc(filter._id) && Object.keys(filter._id).some((k) => k.startsWith('$')));
      if (!upsertInsert || pinned) {
        throw new MongoCommandError(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
      }
      oldDoc = { ...oldDoc, _id: newId };
    }
    mods.$set = restSet;
  }
  for (const [op, spec] of Object.entries(mods)) if (Object.keys(spec as Doc).length === 0) delete mods[op];
  if (Object.keys(mods).length === 0) return upsertInsert ? oldDoc : null;
  // Positional paths are resolved against the document before the update, then applied as plain paths.
  const concrete = resolvePositionalPaths(oldDoc, mods, arrayFilters, upsertInsert ? undefined : filter);
  if (Object.keys(concrete).length === 0) return upsertInsert ? oldDoc : null;
  let next = cloneDoc(oldDoc);
  let changed: string[];
  // An upsert that inserts is validated as an insert: top-level `$`-prefixed fields of its $set are
  // stored (MongoDB 5+, "Dollar-Prefixed Field Names"); on an existing document they stay refused.
  let concreteMods = concrete;
  if (upsertInsert && isDoc(concrete.$set) && Object.keys(concrete.$set).some((k) => k.startsWith('$') && !k.includes('.'))) {
    const set: Doc = { ...concrete.$set };
    for (const k of Object.keys(set)) {
      if (!k.startsWith('$') || k.includes('.')) continue;
      next[k] = set[k];
      delete set[k];
    }
    concreteMods = { ...concrete, $set: set };
    if (Object.keys(set).length === 0) delete concreteMods.$set;
  } else if (isDoc(concrete.$set)) {
    const bad = Object.keys(concrete.$set).find((k) => k.startsWith('$'));
    if (bad) throw new MongoCommandError(52, `The dollar ($) prefixed field '${bad}' in '${bad}' is not valid for storage.`);
  }
  checkPathsViable(next, concreteMods);
  checkOperandTypes(next, concreteMods);
  try {
    // mingo refuses `__proto__` in update paths and would set a prototype from a `__proto__` key in a
    // value; MongoDB stores such a field like any other. Those updates run on aliased names.
    if (mentionsProto(concreteMods) || renameTargetsMention(concreteMods)) {
      const aliased = renameProto(next) as Doc;
      changed = applyOperators(aliased, aliasRenameTargets(renameProto(concreteMods) as Doc));
      next = restoreLiteralNames(aliased) as Doc;
    } else changed = applyOperators(next, concreteMods);
  } catch (e) {
    const err = toMongoError(e);
    if (/positional/i.test(err.message) || /\$\[/.test(err.message)) throw new MongoCommandError(2, err.message);
    throw err;
  }
  if (changed.length === 0 && !upsertInsert) return null;
  checkIdUnchanged(oldDoc, next);
  assertSupportedTypes(next);
  if (BSON.calculateObjectSize(next) > MAX_BSON_SIZE) {
    throw new MongoCommandError(17419, `Resulting document after update is larger than ${MAX_BSON_SIZE}`);
  }
  return idFirst(next);
}

const BSON_ALIASES: Record<string, string> = { Double: 'double', Int32: 'int', Long: 'long', ObjectId: 'objectId', Binary: 'binData', Timestamp: 'timestamp', Decimal128: 'decimal', MinKey: 'minKey', MaxKey: 'maxKey', BSONRegExp: 'regex', Code: 'javascript', DBRef: 'object' };

/** The `$type` alias of a stored value, as MongoDB names it in error messages. */
function typeAlias(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'number':
      return isInt32(v) ? 'int' : 'double';
    default:
      break;
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  const t = (v as { _bsontype?: string })._bsontype;
  return (t && BSON_ALIASES[t]) ?? 'object';
}

/**
 * Operators refuse a value of the wrong type at their path (mingo skips the path silently):
 * array operators need an array, `$inc`/`$mul` a number. Missing paths are created instead.
 */
function checkOperandTypes(doc: Doc, mods: Doc): void {
  const each = (op: string, fn: (path: string, current: unknown) => void) => {
    const spec = mods[op];
    if (!isDoc(spec)) return;
    for (const path of Object.keys(spec)) {
      const current = getPath(doc, path);
      if (current !== undefined) fn(path, current);
    }
  };
  const field = (path: string) => path.split('.').pop();
  each('$push', (path, v) => {
    if (!Array.isArray(v)) throw new MongoCommandError(2, `The field '${field(path)}' must be an array but is of type ${typeAlias(v)} in document {_id: ${formatKeyValue(doc._id)}}`);
  });
  each('$addToSet', (path, v) => {
    if (!Array.isArray(v)) throw new MongoCommandError(2, `Cannot apply $addToSet to non-array field. Field named '${field(path)}' has non-array type ${typeAlias(v)}`);
  });
  for (const op of ['$pull', '$pullAll']) {
    each(op, (_path, v) => {
      if (!Array.isArray(v)) throw new MongoCommandError(2, `Cannot apply ${op} to a non-array value`);
    });
  }
  each('$pop', (path, v) => {
    if (!Array.isArray(v)) throw new MongoCommandError(14, `Path '${path}' contains an element of non-array type '${typeAlias(v)}'`);
  });
  for (const op of ['$inc', '$mul']) {
    each(op, (path, v) => {
      if (toNumeric(v) === undefined) {
        throw new MongoCommandError(14, `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatKeyValue(doc._id)}} has the field '${field(path)}' of non-numeric type ${typeAlias(v)}`);
      }
    });
  }
}

/** Operators that create their path when it is missing. */
const CREATING_OPERATORS = ['$set', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate'];

/**
 * A path that would have to continue through a scalar, null, or through an array by a field name
 * cannot be created: MongoDB refuses the update (code 28, PathNotViable) rather than skipping it.
 */
function checkPathsViable(doc: Doc, mods: Doc): void {
  for (const op of CREATING_OPERATORS) {
    const spec = mods[op];
    if (!isDoc(spec)) continue;
    for (const path of Object.keys(spec)) {
      const parts = path.split('.');
      let cur: unknown = doc;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        if (Array.isArray(cur) && !/^\d+$/.test(part)) {
          throw new MongoCommandError(28, `Cannot create field '${part}' in element {${parts[i - 1] ?? ''}: ${formatKeyValue(cur)}}`);
        }
        if (i === parts.length - 1) break;
        const next: unknown = Array.isArray(cur) ? cur[Number(part)] : (cur as Doc)[part];
        if (next === undefined) break; // missing from here on: created as documents
        if (next === null || typeof next !== 'object' || next instanceof Date || (next as { _bsontype?: string })._bsontype) {
          throw new MongoCommandError(28, `Cannot create field '${parts[i + 1]}' in element {${part}: ${formatKeyValue(next)}}`);
        }
        cur = next;
      }
    }
  }
}

const renameTargetsMention = (mods: Doc): boolean =>
  isDoc(mods.$rename) && Object.values(mods.$rename).some((t) => typeof t === 'string' && mentionsProto({ [t]: 1 }));

/** `$rename` targets are paths held as values: alias their literal names too. */
function aliasRenameTargets(mods: Doc): Doc {
  if (!isDoc(mods.$rename)) return mods;
  const targets: Doc = {};
  for (const [k, t] of Object.entries(mods.$rename)) targets[k] = typeof t === 'string' ? Object.keys(renameProto({ [t]: 1 }) as Doc)[0] : t;
  return { ...mods, $rename: targets };
}

/** The fields an upsert's query pins by equality (top level and inside `$and`), as a seed document. */
export function seedFromQuery(filter: Doc): Doc {
  const seed: Doc = {};
  const visit = (f: Doc): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const c of v) if (isDoc(c)) visit(c);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (isDoc(v)) {
        const keys = Object.keys(v);
        if (keys.length > 0 && keys.every((x) => x.startsWith('$'))) {
          if (keys.length === 1 && keys[0] === '$eq') setPath(seed, k, v.$eq);
          continue;
        }
      }
      if (v instanceof RegExp) continue;
      setPath(seed, k, v);
    }
  };
  visit(filter);
  return seed;
}

interface StatementResult {
  n: number;
  nModified: number;
  upsertedId?: unknown;
  /** Document before / after, for findAndModify. */
  before?: Doc | null;
  after?: Doc | null;
}

interface UpdateStatement {
  q: unknown;
  u: unknown;
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Doc[];
  sort?: Doc;
  collation?: Doc;
}

export function runUpdate(ctx: CommandContext, db: string, name: string, st: UpdateStatement): StatementResult {
  if (st.collation) throw new MongoCommandError(115, 'collation is not supported by the embedded engine');
  const kind = updateKind(st.u);
  if (kind === 'replacement' && st.multi) {
    throw new MongoCommandError(9, 'multi update is not supported for replacement-style update');
  }
  assertSupportedTypes(st.u);
  if (st.arrayFilters !== undefined && !Array.isArray(st.arrayFilters)) {
    throw new MongoCommandError(14, 'arrayFilters must be an array');
  }
  // Parse-time checks (array filters, conflicting paths) come before matching, as in MongoDB.
  const filters = kind === 'operator' ? checkUpdatePaths(st.u as Doc, st.arrayFilters) : new Map() as ArrayFilters;
  const coll = ctx.store.getCollection(db, name);
  const { filter } = compileFilter(st.q);
  const matches = findMatching(coll, filter, { sort: st.sort, limit: st.multi ? 0 : 1 });
  if (matches.length === 0) {
    if (!st.upsert) return { n: 0, nModified: 0, before: null, after: null };
    const seed = seedFromQuery(filter);
    let base: Doc;
    if (kind === 'replacement') {
      const rep = st.u as Doc;
      base = { _id: rep._id ?? seed._id ?? new ObjectId(), ...rep };
    } else {
      base = idFirst({ _id: seed._id ?? new ObjectId(), ...seed });
    }
    const doc = kind === 'replacement' ? idFirst(base) : applyUpdate(base, st.u, kind, filter, filters, true)!;
    const prepared = prepareForInsert(doc);
    const target = ctx.store.ensureCollection(db, name);
    ctx.store.insert(target, prepared);
    return { n: 1, nModified: 0, upsertedId: prepared._id, before: null, after: prepared };
  }
  const target = coll!;
  let nModified = 0;
  let before: Doc | null = null;
  let after: Doc | null = null;
  for (const oldDoc of matches) {
    const next = applyUpdate(oldDoc, st.u, kind, filter, filters, false);
    before = oldDoc;
    after = next ?? oldDoc;
    if (next) {
      ctx.store.replace(target, oldDoc, next);
      nModified++;
    }
  }
  return { n: matches.length, nModified, before, after };
}

// ---------------------------------------------------------------- write commands

function statements(cmd: Doc, field: string): Doc[] {
  const v = cmd[field];
  if (!Array.isArray(v)) throw new MongoCommandError(14, `BSON field '${field}' is missing or is not an array`);
  if (v.length === 0 || v.length > 100_000) {
    throw new MongoCommandError(16, `Write batch sizes must be between 1 and 100000. Got ${v.length} operations.`);
  }
  return v as Doc[];
}

const insert: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'insert');
  const docs = statements(cmd, 'documents');
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  let n = 0;
  const coll = ctx.store.ensureCollection(ctx.db, name);
  for (let i = 0; i < docs.length; i++) {
    try {
      keepDoubles(docs[i], cmd, ['documents', String(i)]);
      ctx.store.insert(coll, prepareForInsert(docs[i]));
      n++;
    } catch (e) {
      writeErrors.push(toMongoError(e).toWriteError(i));
      if (ordered) break;
    }
  }
  ctx.stats.opcounters.insert! += docs.length;
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

const update: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'update');
  const ups = statements(cmd, 'updates');
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  for (let i = 0; i < ups.length; i++) {
    const st = ups[i]!;
    try {
      if (!isDoc(st) || !('q' in st) || !('u' in st)) throw new MongoCommandError(40414, "BSON field 'update.updates.q' is missing but a required field");
      if (isDoc(st.u)) keepDoubles(st, cmd, ['updates', String(i)], ['u']);
      const r = runUpdate(ctx, ctx.db, name, st as unknown as UpdateStatement);
      n += r.n;
      nModified += r.nModified;
      if (r.upsertedId !== undefined) upserted.push({ index: i, _id: r.upsertedId });
    } catch (e) {
      writeErrors.push(toMongoError(e).toWriteError(i));
      if (ordered) break;
    }
  }
  ctx.stats.opcounters.update! += ups.length;
  const reply: Doc = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
};

const del: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'delete');
  const dels = statements(cmd, 'deletes');
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  let n = 0;
  for (let i = 0; i < dels.length; i++) {
    const st = dels[i]!;
    try {
      if (!isDoc(st) || !('q' in st) || !('limit' in st)) {
        throw new MongoCommandError(40414, "BSON field 'delete.deletes.limit' is missing but a required field");
      }
      if (st.limit !== 0 && st.limit !== 1) throw new MongoCommandError(9, `The limit field in delete objects must be 0 or 1. Got ${String(st.limit)}`);
      if (st.collation) throw new MongoCommandError(115, 'collation is not supported by the embedded engine');
      const coll = ctx.store.getCollection(ctx.db, name);
      const victims = findMatching(coll, st.q, { limit: st.limit === 1 ? 1 : 0 });
      for (const d of victims) ctx.store.delete(coll!, d);
      n += victims.length;
    } catch (e) {
      writeErrors.push(toMongoError(e).toWriteError(i));
      if (ordered) break;
    }
  }
  ctx.stats.opcounters.delete! += dels.length;
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

const findAndModify: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'findAndModify');
  const remove = cmd.remove === true;
  const returnNew = cmd.new === true;
  if (remove && cmd.update !== undefined) throw new MongoCommandError(9, 'Cannot specify both an update and remove=true');
  if (!remove && cmd.update === undefined) throw new MongoCommandError(9, 'Either an update or remove=true must be specified');
  if (remove && cmd.upsert) throw new MongoCommandError(9, 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew) throw new MongoCommandError(9, 'Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');
  const fields = isDoc(cmd.fields) ? cmd.fields : undefined;
  const query = isDoc(cmd.query) ? cmd.query : {};
  const sort = isDoc(cmd.sort) ? cmd.sort : undefined;
  const out = (d: Doc | null | undefined): Doc | null => (d ? (project([d], query, fields)[0] ?? null) : null);
  ctx.stats.opcounters.command!++;
  if (remove) {
    const coll = ctx.store.getCollection(ctx.db, name);
    if (cmd.collation) throw new MongoCommandError(115, 'collation is not supported by the embedded engine');
    const [victim] = findMatching(coll, query, { sort, limit: 1 });
    if (victim) ctx.store.delete(coll!, victim);
    return { lastErrorObject: { n: victim ? 1 : 0 }, value: out(victim), ok: 1 };
  }
  if (isDoc(cmd.update)) keepDoubles(cmd, cmd, [], ['update']);
  const r = runUpdate(ctx, ctx.db, name, {
    q: query,
    u: cmd.update,
    upsert: cmd.upsert === true,
    multi: false,
    arrayFilters: cmd.arrayFilters as Doc[] | undefined,
    sort,
    collation: cmd.collation as Doc | undefined,
  });
  const leo: Doc = { n: r.n, updatedExisting: r.n > 0 && r.upsertedId === undefined };
  if (r.upsertedId !== undefined) leo.upserted = r.upsertedId;
  return { lastErrorObject: leo, value: out(returnNew ? r.after : r.before), ok: 1 };
};

// ---------------------------------------------------------------- reads

const num = (v: unknown, field: string): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MongoCommandError(14, `BSON field '${field}' is the wrong type, expected a number`);
  return Math.trunc(v);
};

const find: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'find');
  for (const f of ['tailable', 'awaitData', 'returnKey', 'min', 'max', 'oplogReplay']) {
    if (cmd[f]) throw new MongoCommandError(115, `find option '${f}' is not supported by the embedded engine`);
  }
  if (cmd.filter !== undefined && !isDoc(cmd.filter)) throw new MongoCommandError(14, "BSON field 'FindCommandRequest.filter' is the wrong type, expected type 'object'");
  const hintOrder = checkHint(ctx, name, cmd.hint);
  const skip = num(cmd.skip, 'skip');
  let limit = num(cmd.limit, 'limit');
  if (skip < 0) throw new MongoCommandError(51024, `BSON field 'skip' value must be >= 0, actual value '${skip}'`);
  let singleBatch = cmd.singleBatch === true;
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const filter = (cmd.filter as Doc | undefined) ?? {};
  const docs = findMatching(ctx.store.getCollection(ctx.db, name), filter, {
    sort: isDoc(cmd.sort) && Object.keys(cmd.sort).length > 0 ? cmd.sort : hintOrder,
    skip,
    limit,
    collation: isDoc(cmd.collation) ? cmd.collation : undefined,
  });
  const projected = project(docs, filter, isDoc(cmd.projection) ? cmd.projection : undefined);
  ctx.stats.opcounters.query!++;
  let batchSize = batchSizeOf(cmd.batchSize, 'batchSize');
  if (limit > 0 && (batchSize === undefined || batchSize > limit)) batchSize = limit;
  return ctx.cursors.start(`${ctx.db}.${name}`, projected, batchSize, singleBatch);
};

const count: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'count');
  const coll = ctx.store.getCollection(ctx.db, name);
  const query = (cmd.query as Doc | undefined) ?? {};
  const skip = Math.max(0, num(cmd.skip, 'skip'));
  const limit = Math.abs(num(cmd.limit, 'limit'));
  ctx.stats.opcounters.command!++;
  if (!coll) {
    compileFilter(query);
    return { n: 0, ok: 1 };
  }
  if (Object.keys(query).length === 0 && skip === 0 && limit === 0) return { n: coll.docs.size, ok: 1 };
  return { n: findMatching(coll, query, { skip, limit, collation: cmd.collation as Doc | undefined }).length, ok: 1 };
};

const distinct: Handler = (cmd, ctx) => {
  const name = collName(cmd, 'distinct');
  if (typeof cmd.key !== 'string' || cmd.key === '') throw new MongoCommandError(14, "BSON field 'distinct.key' is missing or not a string");
  const docs = findMatching(ctx.store.getCollection(ctx.db, name), (cmd.query as Doc | undefined) ?? {}, {
    collation: cmd.collation as Doc | undefined,
  });
  const seen = new Set<string>();
  const values: unknown[] = [];
  for (const d of docs) {
    for (const v of pathValues(d, cmd.key)) {
      if (v === undefined) continue;
      const k = valueKey(v);
      if (!seen.has(k)) {
        seen.add(k);
        values.push(v);
      }
    }
  }
  ctx.stats.opcounters.command!++;
  return { values, ok: 1 };
};

export const crudHandlers: Record<string, Handler> = {
  insert,
  update,
  delete: del,
  findAndModify,
  findandmodify: findAndModify,
  find,
  count,
  distinct,
};

export { candidates };
