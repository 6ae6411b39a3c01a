/** create, drop, listCollections, renameCollection, dropDatabase, listDatabases. */
import { BSON } from 'bson';
import { MongoCommandError, toMongoError } from '../errors.js';
import { mingoOptions, Query } from '../mingo-setup.js';
import type { Doc } from '../types-bridge.js';
import type { Handler } from './context.js';

const UNSUPPORTED_CREATE_OPTIONS = ['capped', 'viewOn', 'pipeline', 'timeseries', 'validator', 'clusteredIndex', 'changeStreamPreAndPostImages', 'encryptedFields', 'storageEngine', 'collation'];

const create: Handler = (cmd, ctx) => {
  const name = cmd.create;
  if (typeof name !== 'string') throw new MongoCommandError(73, 'Invalid namespace specified');
  for (const o of UNSUPPORTED_CREATE_OPTIONS) {
    if (cmd[o] !== undefined && cmd[o] !== false) {
      throw new MongoCommandError(115, `create option '${o}' is not supported by the embedded engine`);
    }
  }
  ctx.store.createCollection(ctx.db, name);
  return { ok: 1 };
};

const drop: Handler = (cmd, ctx) => {
  const name = String(cmd.drop);
  const nIndexesWas = ctx.store.dropCollection(ctx.db, name);
  // MongoDB 7 answers ok:1 for a missing collection, as the driver expects.
  return nIndexesWas ? { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 } : { ok: 1 };
};

const listCollections: Handler = (cmd, ctx) => {
  const nameOnly = cmd.nameOnly === true;
  let infos: Doc[] = ctx.store.collectionNames(ctx.db).map((name) =>
    nameOnly
      ? { name, type: 'collection' }
      : {
          name,
          type: 'collection',
          options: {},
          info: { readOnly: false },
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
        },
  );
  if (cmd.filter && typeof cmd.filter === 'object' && Object.keys(cmd.filter).length > 0) {
    try {
      const q = new Query(cmd.filter as Doc, mingoOptions());
      infos = infos.filter((i) => q.test(i));
    } catch (e) {
      throw toMongoError(e);
    }
  }
  return { cursor: { id: BSON.Long.fromNumber(0), ns: `${ctx.db}.$cmd.listCollections`, firstBatch: infos }, ok: 1 };
};

const splitNs = (ns: unknown, field: string): [string, string] => {
  if (typeof ns !== 'string' || !ns.includes('.')) throw new MongoCommandError(73, `Invalid ${field} namespace: ${String(ns)}`);
  const i = ns.indexOf('.');
  return [ns.slice(0, i), ns.slice(i + 1)];
};

const renameCollection: Handler = (cmd, ctx) => {
  if (ctx.db !== 'admin') throw new MongoCommandError(13, 'renameCollection may only be run against the admin database.');
  const [db, from] = splitNs(cmd.renameCollection, 'source');
  const [toDb, to] = splitNs(cmd.to, 'target');
  ctx.store.renameCollection(db, from, toDb, to, cmd.dropTarget === true);
  return { ok: 1 };
};

const dropDatabase: Handler = (_cmd, ctx) => {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

const listDatabases: Handler = (cmd, ctx) => {
  const databases: Doc[] = [];
  let totalSize = 0;
  for (const [name, colls] of ctx.store.dbs) {
    let size = 0;
    for (const c of colls.values()) for (const d of c.docs.values()) size += BSON.calculateObjectSize(d);
    totalSize += size;
    databases.push(cmd.nameOnly ? { name } : { name, sizeOnDisk: size, empty: size === 0 });
  }
  return cmd.nameOnly ? { databases, ok: 1 } : { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
};

export const catalogHandlers: Record<string, Handler> = {
  create,
  drop,
  listCollections,
  renameCollection,
  dropDatabase,
  listDatabases,
};
