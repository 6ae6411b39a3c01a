/** createIndexes, listIndexes, dropIndexes. */
import { BSON } from 'bson';
import { MongoCommandError } from '../errors.js';
import type { IndexSpec } from '../store.js';
import { assertSupportedTypes, valueKey, type Doc } from '../types-bridge.js';
import type { Handler } from './context.js';

const ALLOWED_OPTIONS = new Set(['key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'background', 'v', 'ns', 'hidden']);

function toSpec(raw: unknown): IndexSpec {
  if (!raw || typeof raw !== 'object') throw new MongoCommandError(14, 'index specification must be an object');
  const r = raw as Doc;
  for (const k of Object.keys(r)) {
    if (k === 'collation' || k === 'weights' || k === 'default_language' || k === '2dsphereIndexVersion' || k === 'wildcardProjection') {
      throw new MongoCommandError(67, `index option '${k}' is not supported by the embedded engine`);
    }
    if (!ALLOWED_OPTIONS.has(k)) throw new MongoCommandError(197, `The field '${k}' is not valid for an index specification. Specification: ${JSON.stringify(r)}`);
  }
  const key = r.key as Doc;
  if (!key || typeof key !== 'object' || Object.keys(key).length === 0) {
    throw new MongoCommandError(67, 'Index keys cannot be empty.');
  }
  for (const [f, d] of Object.entries(key)) {
    if (typeof d === 'string') throw new MongoCommandError(67, `Index type '${d}' on field '${f}' is not supported by the embedded engine`);
    if (typeof d !== 'number' || d === 0 || Number.isNaN(d)) throw new MongoCommandError(67, `Values in the index key pattern can't be 0 or non-numeric: ${f}`);
    if (f.startsWith('$') || f.includes('$**')) throw new MongoCommandError(67, `Index key '${f}' is not supported by the embedded engine`);
  }
  const name = typeof r.name === 'string' ? r.name : Object.entries(key).map(([f, d]) => `${f}_${String(d)}`).join('_');
  const spec: IndexSpec = { name, key: key as IndexSpec['key'] };
  if (r.unique) {
    if (Object.keys(key).length === 1 && '_id' in key) {
      // The _id index is implicitly unique; accept the redundant flag.
    } else spec.unique = true;
  }
  if (r.sparse) spec.sparse = true;
  if (r.partialFilterExpression !== undefined) {
    if (!r.partialFilterExpression || typeof r.partialFilterExpression !== 'object') throw new MongoCommandError(67, 'partialFilterExpression must be an object');
    if (spec.sparse) throw new MongoCommandError(67, 'cannot mix "partialFilterExpression" and "sparse" options');
    assertSupportedTypes(r.partialFilterExpression);
    spec.partialFilterExpression = r.partialFilterExpression as Doc;
  }
  if (r.expireAfterSeconds !== undefined) {
    const e = r.expireAfterSeconds;
    if (typeof e !== 'number' || e < 0 || !Number.isFinite(e)) throw new MongoCommandError(67, 'TTL index \'expireAfterSeconds\' option must be a non-negative number');
    if (Object.keys(key).length !== 1) throw new MongoCommandError(67, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
    spec.expireAfterSeconds = e;
  }
  return spec;
}

const createIndexes: Handler = (cmd, ctx) => {
  const name = cmd.createIndexes;
  if (typeof name !== 'string') throw new MongoCommandError(73, 'Invalid namespace specified');
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw new MongoCommandError(2, 'Must specify at least one index to create');
  const specs = cmd.indexes.map(toSpec);
  const existed = !!ctx.store.getCollection(ctx.db, name);
  const coll = ctx.store.ensureCollection(ctx.db, name);
  const before = coll.indexes.size + 1;
  let created = 0;
  for (const s of specs) if (ctx.store.createIndex(coll, s)) created++;
  const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size + 1, createdCollectionAutomatically: !existed };
  if (created === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
};

const listIndexes: Handler = (cmd, ctx) => {
  const name = String(cmd.listIndexes);
  const coll = ctx.store.getCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError(26, `ns does not exist: ${ctx.db}.${name}`);
  return { cursor: { id: BSON.Long.fromNumber(0), ns: `${ctx.db}.${name}`, firstBatch: ctx.store.listIndexes(coll) }, ok: 1 };
};

const dropIndexes: Handler = (cmd, ctx) => {
  const name = String(cmd.dropIndexes ?? cmd.deleteIndexes);
  const coll = ctx.store.getCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError(26, `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size + 1;
  const which = cmd.index;
  const names: string[] = [];
  if (which === '*') names.push(...coll.indexes.keys());
  else if (typeof which === 'string') names.push(which);
  else if (Array.isArray(which)) names.push(...which.map(String));
  else if (which && typeof which === 'object') {
    const k = valueKey(which);
    if (k === valueKey({ _id: 1 })) throw new MongoCommandError(72, 'cannot drop _id index');
    const found = [...coll.indexes.values()].find((i) => valueKey(i.spec.key) === k);
    if (!found) throw new MongoCommandError(27, `can't find index with key: ${JSON.stringify(which)}`);
    names.push(found.spec.name);
  } else throw new MongoCommandError(14, "BSON field 'dropIndexes.index' is missing or has the wrong type");
  for (const n of names) {
    if (n === '_id_') throw new MongoCommandError(72, 'cannot drop _id index');
    if (!coll.indexes.has(n)) throw new MongoCommandError(27, `index not found with name [${n}]`);
  }
  for (const n of names) ctx.store.dropIndex(coll, n);
  return { nIndexesWas, ok: 1 };
};

export const indexHandlers: Record<string, Handler> = { createIndexes, listIndexes, dropIndexes, deleteIndexes: dropIndexes };
