/**
 * Conformance of the embedded engine against MongoDB's documented behaviour, driven through the
 * official driver (mongoose's copy). Counts are asserted everywhere: the driver reports a missing
 * `n` as 0 without raising.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/embedded-mongo/index.js';

const { MongoClient, ObjectId, Long, Decimal128, MongoServerError, MongoBulkWriteError } = mongoose.mongo;
type Db = mongoose.mongo.Db;

let mongo: EmbeddedMongo;
let client: mongoose.mongo.MongoClient;
let db: Db;
let n = 0;
const coll = (name = `c${n}`) => db.collection(name);

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ ttlIntervalMs: 50, cursorTimeoutMs: 300 });
  client = await MongoClient.connect(mongo.uri);
  db = client.db('conf');
});
afterAll(async () => {
  await client.close();
  await mongo.close();
});
beforeEach(() => {
  n++;
});

describe('handshake and admin', () => {
  it('hello advertises what the driver needs and no topologyVersion', async () => {
    const r = await db.admin().command({ hello: 1 });
    expect(r).toMatchObject({ helloOk: true, isWritablePrimary: true, ok: 1, maxWireVersion: 21, logicalSessionTimeoutMinutes: 30 });
    expect(r.topologyVersion).toBeUndefined();
    const legacy = await db.admin().command({ isMaster: 1 });
    expect(legacy.ismaster).toBe(true);
  });
  it('ping, buildInfo, getParameter, serverStatus, listDatabases', async () => {
    expect((await db.admin().ping()).ok).toBe(1);
    expect((await db.admin().buildInfo()).version).toMatch(/^7\./);
    expect((await db.admin().command({ getParameter: 1, featureCompatibilityVersion: 1 })).featureCompatibilityVersion).toEqual({ version: '7.0' });
    const st = await db.admin().serverStatus();
    expect(st.connections.current).toBeGreaterThan(0);
    await coll('x').insertOne({ a: 1 });
    const dbs = await db.admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain('conf');
  });
  it('unknown commands answer 59 CommandNotFound', async () => {
    await expect(db.command({ frobnicate: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });
  it('dropDatabase removes everything', async () => {
    const other = client.db('dropme');
    await other.collection('a').insertOne({ x: 1 });
    expect(await other.dropDatabase()).toBe(true);
    expect(await other.listCollections().toArray()).toEqual([]);
  });
  it('transactions are refused like a standalone mongod (code 20)', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      const e = (await coll().insertOne({ a: 1 }, { session }).catch((x: unknown) => x)) as { originalError?: { code?: number } };
      expect(e.originalError?.code).toBe(20);
    } finally {
      await session.endSession();
    }
  });
});

describe('catalog', () => {
  it('create answers 48 when the collection exists; list, rename, drop', async () => {
    await db.createCollection('cat1');
    await expect(db.command({ create: 'cat1' })).rejects.toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    let names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('cat1');
    await coll('cat1').insertOne({ _id: 1 } as never);
    await db.renameCollection('cat1', 'cat2');
    names = (await db.listCollections({ name: 'cat2' }).toArray()).map((c) => c.name);
    expect(names).toEqual(['cat2']);
    expect(await coll('cat2').countDocuments()).toBe(1);
    await expect(db.renameCollection('nope', 'x')).rejects.toMatchObject({ code: 26 });
    expect(await coll('cat2').drop()).toBe(true);
    expect(await coll('cat2').countDocuments()).toBe(0);
  });
  it('capped collections are refused rather than ignored', async () => {
    await expect(db.createCollection('capped1', { capped: true, size: 1000 })).rejects.toMatchObject({ code: 115 });
  });
});

describe('insert', () => {
  it('reports n and assigns _id first', async () => {
    const r = await coll().insertMany([{ a: 1 }, { a: 2 }, { b: 1, _id: "x" } as never]);
    expect(r.insertedCount).toBe(3);
    const raw = await coll().findOne({ _id: 'x' } as never);
    expect(Object.keys(raw!)).toEqual(['_id', 'b']);
  });
  it('ordered insert stops at the first duplicate; unordered continues', async () => {
    const c = coll();
    const err1 = await c.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }] as never[]).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(MongoBulkWriteError);
    expect((err1 as InstanceType<typeof MongoBulkWriteError>).insertedCount).toBe(1);
    expect((err1 as InstanceType<typeof MongoBulkWriteError>).writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    const err2 = (await c.insertMany([{ _id: 3 }, { _id: 1 }, { _id: 4 }] as never[], { ordered: false }).catch((e: unknown) => e)) as InstanceType<typeof MongoBulkWriteError>;
    expect(err2.insertedCount).toBe(2);
    expect(await c.countDocuments()).toBe(3);
  });
  it('single duplicate insert raises MongoServerError 11000 with the exact shape', async () => {
    const c = coll();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x' });
    const e = (await c.insertOne({ email: 'a@x' }).catch((x: unknown) => x)) as InstanceType<typeof MongoServerError>;
    expect(e).toBeInstanceOf(MongoServerError);
    expect(e.code).toBe(11000);
    expect(e.message).toBe(`E11000 duplicate key error collection: conf.${c.collectionName} index: email_1 dup key: { email: "a@x" }`);
    expect(e.keyPattern).toEqual({ email: 1 });
    expect(e.keyValue).toEqual({ email: 'a@x' });
  });
  it('refuses Decimal128 instead of mishandling it; stores an int64 beyond 2^53 exactly', async () => {
    await expect(coll().insertOne({ d: Decimal128.fromString('1.5') })).rejects.toMatchObject({ code: 2 });
    await coll().insertOne({ _id: 1 as never, l: Long.fromString('9007199254740993') });
    const back = await coll().findOne({ _id: 1 as never }, { promoteLongs: false });
    expect(String(back!.l)).toBe('9007199254740993');
  });
});

describe('types and order', () => {
  it('round-trips ObjectId, Date, strings, numbers, booleans, null, arrays and documents', async () => {
    const doc = {
      _id: new ObjectId(),
      s: 'héllo 建言',
      i: 42,
      f: 1.5,
      neg: -7,
      big: 2 ** 40,
      t: true,
      n: null,
      d: new Date('2024-01-02T03:04:05.678Z'),
      arr: [1, 'two', { three: 3 }, [4]],
      sub: { a: { b: [new ObjectId()] } },
    };
    await coll().insertOne(doc);
    const back = await coll().findOne({ _id: doc._id });
    expect(back).toEqual(doc);
    expect(back!.sub.a.b[0]).toBeInstanceOf(ObjectId);
  });
  it('sorts across types in BSON order and arrays by min/max element', async () => {
    const oid = new ObjectId();
    const d = new Date(0);
    await coll().insertMany([
      { k: 'true', v: true }, { k: 'str', v: 'a' }, { k: 'num', v: 5 }, { k: 'null', v: null }, { k: 'oid', v: oid },
      { k: 'date', v: d }, { k: 'obj', v: { a: 1 } }, { k: 'arr', v: [0, 10] }, { k: 'missing' }, { k: 'neg', v: -1 },
    ]);
    const asc = (await coll().find({}, { sort: { v: 1, k: 1 } }).toArray()).map((x) => x.k);
    expect(asc).toEqual(['missing', 'null', 'neg', 'arr', 'num', 'str', 'obj', 'oid', 'true', 'date']);
    const desc = (await coll().find({}, { sort: { v: -1, k: 1 } }).toArray()).map((x) => x.k);
    expect(desc).toEqual(['date', 'true', 'oid', 'obj', 'str', 'arr', 'num', 'neg', 'missing', 'null']);
  });
  it('range queries do not cross types; $type knows objectId', async () => {
    await coll().insertMany([{ v: 5 }, { v: '7' }, { v: new ObjectId() }, { v: 1.5 }]);
    expect(await coll().countDocuments({ v: { $gt: 1 } })).toBe(2);
    expect(await coll().countDocuments({ v: { $type: 'objectId' } })).toBe(1);
    expect(await coll().countDocuments({ v: { $type: 'number' } })).toBe(2);
    expect(await coll().countDocuments({ v: { $type: 'string' } })).toBe(1);
  });
});

describe('update', () => {
  it('counts matched and modified, detecting no-ops', async () => {
    await coll().insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }] as never[]);
    let r = await coll().updateMany({}, { $set: { a: 1 } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([2, 1]);
    r = await coll().updateOne({ _id: 1 } as never, { $set: { a: 1 } });
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 0]);
    r = await coll().updateOne({ _id: 9 } as never, { $set: { a: 1 } });
    expect([r.matchedCount, r.modifiedCount, r.upsertedCount]).toEqual([0, 0, 0]);
  });
  it('supports the update operators', async () => {
    await coll().insertOne({ _id: 1, n: 1, arr: [1, 2, 3, 2], tags: ['a'], old: 1, m: 3, o: { x: 1 } } as never);
    await coll().updateOne({ _id: 1 } as never, {
      $inc: { n: 2 }, $pull: { arr: 2 }, $addToSet: { tags: { $each: ['a', 'b'] } }, $rename: { old: 'renamed' },
      $mul: { m: 2 }, $unset: { o: '' }, $currentDate: { at: true }, $max: { hi: 10 },
    } as never);
    const d = (await coll().findOne({ _id: 1 } as never))!;
    expect(d).toMatchObject({ n: 3, arr: [1, 3], tags: ['a', 'b'], renamed: 1, m: 6, hi: 10 });
    expect(d.o).toBeUndefined();
    expect(d.at).toBeInstanceOf(Date);
    await coll().updateOne({ _id: 1 } as never, { $push: { arr: { $each: [9, 0], $sort: 1, $slice: 3 } }, $pop: { tags: -1 } } as never);
    expect(await coll().findOne({ _id: 1 } as never)).toMatchObject({ arr: [0, 1, 3], tags: ['b'] });
  });
  it('positional $, $[] and $[id] with arrayFilters', async () => {
    await coll().insertOne({ _id: 1, items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }], nums: [1, 2, 3] } as never);
    await coll().updateOne({ _id: 1, 'items.k': 'b' } as never, { $set: { 'items.$.v': 20 } });
    await coll().updateOne({ _id: 1 } as never, { $inc: { 'nums.$[]': 10 } } as never);
    await coll().updateOne({ _id: 1 } as never, { $set: { 'nums.$[e]': 0 } } as never, { arrayFilters: [{ e: { $gt: 12 } }] });
    expect(await coll().findOne({ _id: 1 } as never)).toMatchObject({ items: [{ k: 'a', v: 1 }, { k: 'b', v: 20 }], nums: [11, 12, 0] });
  });
  it('replacement keeps _id; changing _id is 66 ImmutableField', async () => {
    await coll().insertOne({ _id: 1, a: 1, b: 2 } as never);
    const r = await coll().replaceOne({ _id: 1 } as never, { c: 3 });
    expect(r.modifiedCount).toBe(1);
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({ _id: 1, c: 3 });
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { _id: 2 } } as never)).rejects.toMatchObject({ code: 66 });
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { a: 1 }, $inc: { a: 1 } })).rejects.toMatchObject({ code: 40 });
    await expect(coll().updateOne({ _id: 1 } as never, { $frob: { a: 1 } } as never)).rejects.toMatchObject({ code: 9 });
  });
  it('pipeline updates', async () => {
    await coll().insertOne({ _id: 1, a: 2, b: 3 } as never);
    const r = await coll().updateOne({ _id: 1 } as never, [{ $set: { sum: { $add: ['$a', '$b'] } } }, { $unset: 'b' }]);
    expect(r.modifiedCount).toBe(1);
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 2, sum: 5 });
  });
  it('upsert seeds equality fields (also in $and and $eq) and applies $setOnInsert only on insert', async () => {
    const r = await coll().updateOne(
      { $and: [{ tenant: 't1' }, { 'k.code': { $eq: 'X' } }], age: { $gt: 3 }, re: /x/ },
      { $set: { v: 1 }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect([r.matchedCount, r.modifiedCount, r.upsertedCount]).toEqual([0, 0, 1]);
    const d = await coll().findOne({ _id: r.upsertedId! });
    expect(d).toEqual({ _id: r.upsertedId, tenant: 't1', k: { code: 'X' }, v: 1, created: true });
    const r2 = await coll().updateOne({ tenant: 't1' }, { $set: { v: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    expect([r2.matchedCount, r2.modifiedCount, r2.upsertedCount]).toEqual([1, 1, 0]);
    expect((await coll().findOne({ tenant: 't1' }))!.created).toBe(true);
    const r3 = await coll().updateOne({ _id: 'given' } as never, { $inc: { n: 1 } }, { upsert: true });
    expect(r3.upsertedId).toBe('given');
  });
  it('bulkWrite maps upserted ids by index and reports unique violations', async () => {
    await coll().createIndex({ u: 1 }, { unique: true });
    const r = await coll().bulkWrite([
      { insertOne: { document: { u: 1 } } },
      { updateOne: { filter: { u: 2 }, update: { $set: { x: 1 } }, upsert: true } },
      { updateMany: { filter: {}, update: { $set: { y: 1 } } } },
      { deleteOne: { filter: { u: 1 } } },
    ]);
    expect([r.insertedCount, r.upsertedCount, r.matchedCount, r.modifiedCount, r.deletedCount]).toEqual([1, 1, 2, 2, 1]);
    expect(Object.keys(r.upsertedIds)).toEqual(['1']);
    await coll().insertOne({ u: 5 });
    await expect(coll().updateOne({ u: 2 }, { $set: { u: 5 } })).rejects.toMatchObject({ code: 11000, keyValue: { u: 5 } });
  });
});

describe('delete, findAndModify, count, distinct', () => {
  it('delete counts', async () => {
    await coll().insertMany([{ a: 1 }, { a: 1 }, { a: 2 }]);
    expect((await coll().deleteOne({ a: 1 })).deletedCount).toBe(1);
    expect((await coll().deleteMany({})).deletedCount).toBe(2);
  });
  it('findOneAndUpdate with sort, projection, returnDocument and upsert', async () => {
    await coll().insertMany([{ g: 1, v: 3 }, { g: 1, v: 1 }, { g: 1, v: 2 }]);
    const before = await coll().findOneAndUpdate({ g: 1 }, { $set: { hit: true } }, { sort: { v: 1 }, projection: { _id: 0, v: 1 } });
    expect(before).toEqual({ v: 1 });
    const after = await coll().findOneAndUpdate({ g: 1 }, { $inc: { v: 10 } }, { sort: { v: -1 }, returnDocument: 'after', projection: { _id: 0, v: 1, hit: 1 } });
    expect(after).toEqual({ v: 13 });
    const meta = await coll().findOneAndUpdate({ g: 2 }, { $set: { x: 1 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(meta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(meta.value).toMatchObject({ g: 2, x: 1 });
    const none = await coll().findOneAndUpdate({ g: 99 }, { $set: { x: 1 } });
    expect(none).toBeNull();
    const removed = await coll().findOneAndDelete({ g: 1 }, { sort: { v: -1 } });
    expect(removed!.v).toBe(13);
    expect(await coll().countDocuments({ g: 1 })).toBe(2);
    const rep = await coll().findOneAndReplace({ g: 2 }, { g: 3 }, { returnDocument: 'after' });
    expect(rep).toMatchObject({ g: 3 });
  });
  it('findAndModify duplicate is a top-level 11000', async () => {
    await coll().createIndex({ u: 1 }, { unique: true });
    await coll().insertMany([{ u: 1 }, { u: 2 }]);
    await expect(coll().findOneAndUpdate({ u: 1 }, { $set: { u: 2 } })).rejects.toMatchObject({ code: 11000, keyPattern: { u: 1 } });
  });
  it('count with query/skip/limit, estimatedDocumentCount, distinct over arrays', async () => {
    await coll().insertMany([{ t: ['a', 'b'] }, { t: 'b' }, { t: 'c' }, { x: 1 }]);
    expect(await coll().estimatedDocumentCount()).toBe(4);
    expect(await coll().countDocuments({ t: 'b' })).toBe(2);
    expect(await coll().countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect((await coll().distinct('t')).sort()).toEqual(['a', 'b', 'c']);
    expect(await coll('nonexistent').estimatedDocumentCount()).toBe(0);
  });
});

describe('find and cursors', () => {
  it('filter, sort, projection, skip, limit', async () => {
    await coll().insertMany(Array.from({ length: 20 }, (_, i) => ({ i, even: i % 2 === 0, tags: [`t${i % 3}`] })));
    const r = await coll().find({ even: true }, { sort: { i: -1 }, skip: 1, limit: 3, projection: { _id: 0, i: 1 } }).toArray();
    expect(r).toEqual([{ i: 16 }, { i: 14 }, { i: 12 }]);
    expect(await coll().find({ tags: 't1', i: { $in: [1, 4, 5] } }).count()).toBe(2);
    const excl = await coll().findOne({ i: 3 }, { projection: { tags: 0, even: 0 } });
    expect(Object.keys(excl!)).toEqual(['_id', 'i']);
  });
  it('iterates thousands of documents through getMore with batchSize', async () => {
    const docs = Array.from({ length: 5000 }, (_, i) => ({ i }));
    expect((await coll().insertMany(docs)).insertedCount).toBe(5000);
    const all = await coll().find({}, { batchSize: 333 }).toArray();
    expect(all.length).toBe(5000);
    expect(all.map((d) => d.i)).toEqual(docs.map((d) => d.i));
    const sorted = await coll().find({ i: { $gte: 100 } }).sort({ i: -1 }).toArray();
    expect(sorted.length).toBe(4900);
    expect(sorted[0]!.i).toBe(4999);
  });
  it('killCursors closes a cursor early; getMore on an unknown cursor is 43', async () => {
    await coll().insertMany(Array.from({ length: 50 }, (_, i) => ({ i })));
    const cur = coll().find({}, { batchSize: 5 });
    await cur.next();
    const id = cur.id!;
    await cur.close();
    await expect(db.command({ getMore: id, collection: coll().collectionName })).rejects.toMatchObject({ code: 43, codeName: 'CursorNotFound' });
  });
  it('idle cursors time out', async () => {
    await coll().insertMany(Array.from({ length: 20 }, (_, i) => ({ i })));
    const r = await db.command({ find: coll().collectionName, filter: {}, batchSize: 2 });
    const id = r.cursor.id;
    expect(BigInt(id.toString())).not.toBe(0n);
    await new Promise((res) => setTimeout(res, 700));
    await expect(db.command({ getMore: id, collection: coll().collectionName })).rejects.toMatchObject({ code: 43 });
  });
  it('singleBatch / findOne returns one document and no cursor', async () => {
    await coll().insertMany([{ a: 1 }, { a: 2 }]);
    const r = await db.command({ find: coll().collectionName, filter: {}, limit: 1, singleBatch: true });
    expect(r.cursor.firstBatch.length).toBe(1);
    expect(r.cursor.id.toString()).toBe('0');
  });
});

describe('aggregate', () => {
  it('runs report stages and $lookup across collections', async () => {
    const units = coll(`u${n}`);
    await units.insertMany([{ _id: 'u1', name: 'Water' }, { _id: 'u2', name: 'Roads' }] as never[]);
    await coll().insertMany([
      { unit: 'u1', status: 'open', score: 3 }, { unit: 'u1', status: 'closed', score: 5 }, { unit: 'u2', status: 'open', score: 4 },
    ]);
    const r = await coll()
      .aggregate([
        { $match: { score: { $gte: 3 } } },
        { $group: { _id: '$unit', n: { $sum: 1 }, avg: { $avg: '$score' } } },
        { $lookup: { from: units.collectionName, localField: '_id', foreignField: '_id', as: 'u' } },
        { $unwind: '$u' },
        { $project: { name: '$u.name', n: 1, avg: 1 } },
        { $sort: { n: -1 } },
      ])
      .toArray();
    expect(r).toEqual([{ _id: 'u1', n: 2, avg: 4, name: 'Water' }, { _id: 'u2', n: 1, avg: 4, name: 'Roads' }]);
    expect(Object.keys(r[0]!)[0]).toBe('_id');
    const counts = await coll().aggregate([{ $sortByCount: '$status' }]).toArray();
    expect(counts).toEqual([{ _id: 'open', count: 2 }, { _id: 'closed', count: 1 }]);
    const facet = await coll().aggregate([{ $facet: { total: [{ $count: 'n' }], top: [{ $sort: { score: -1 } }, { $limit: 1 }, { $project: { _id: 0, score: 1 } }] } }]).toArray();
    expect(facet).toEqual([{ total: [{ n: 3 }], top: [{ score: 5 }] }]);
  });
  it('$out replaces the target collection', async () => {
    await coll().insertMany([{ a: 1 }, { a: 2 }]);
    await coll(`out${n}`).insertOne({ stale: true });
    await coll().aggregate([{ $match: { a: 2 } }, { $project: { _id: 0, a: 1 } }, { $out: `out${n}` }]).toArray();
    const out = await coll(`out${n}`).find({}, { projection: { _id: 0 } }).toArray();
    expect(out).toEqual([{ a: 2 }]);
  });
  it('aggregate cursors page through getMore', async () => {
    await coll().insertMany(Array.from({ length: 1000 }, (_, i) => ({ i })));
    const r = await coll().aggregate([{ $sort: { i: -1 } }], { batchSize: 100 }).toArray();
    expect(r.length).toBe(1000);
    expect(r[0]!.i).toBe(999);
  });
});

describe('indexes', () => {
  it('createIndexes, listIndexes, dropIndexes and their errors', async () => {
    await coll().createIndex({ a: 1, b: -1 }, { unique: true, name: 'ab' });
    await coll().createIndex({ c: 1 }, { sparse: true });
    const list = await coll().listIndexes().toArray();
    expect(list.map((i) => i.name)).toEqual(['_id_', 'ab', 'c_1']);
    expect(list[1]).toMatchObject({ key: { a: 1, b: -1 }, unique: true });
    expect(await coll().createIndex({ c: 1 }, { sparse: true })).toBe('c_1');
    await expect(coll().createIndex({ d: 1 }, { name: 'ab' })).rejects.toMatchObject({ code: 86 });
    await expect(coll().createIndex({ t: 'text' })).rejects.toMatchObject({ code: 67 });
    await coll().dropIndex('ab');
    await expect(coll().dropIndex('ab')).rejects.toMatchObject({ code: 27 });
    await expect(coll().dropIndex('_id_')).rejects.toMatchObject({ code: 72 });
    await expect(coll('missing').listIndexes().toArray()).rejects.toMatchObject({ code: 26 });
    await coll().dropIndexes();
    expect((await coll().listIndexes().toArray()).length).toBe(1);
  });
  it('unique on null/missing: two documents without the field collide; sparse does not', async () => {
    await coll().createIndex({ e: 1 }, { unique: true });
    await coll().insertOne({ x: 1 });
    await expect(coll().insertOne({ x: 2 })).rejects.toMatchObject({ code: 11000, keyValue: { e: null } });
    await expect(coll().insertOne({ e: null })).rejects.toMatchObject({ code: 11000 });
    const s = coll(`s${n}`);
    await s.createIndex({ e: 1 }, { unique: true, sparse: true });
    await s.insertMany([{ x: 1 }, { x: 2 }, { e: 1 }]);
    await expect(s.insertOne({ e: 1 })).rejects.toMatchObject({ code: 11000 });
  });
  it('a compound index may cover two fields of one array of documents, but not two different arrays', async () => {
    await coll().createIndex({ 'outbox.state': 1, 'outbox.at': 1 });
    const r = await coll().insertOne({ outbox: [{ state: 'pending', at: 1 }, { state: 'delivered', at: 2 }] });
    expect(r.acknowledged).toBe(true);
    expect(await coll().countDocuments({ 'outbox.state': 'delivered' })).toBe(1);
    const c2 = coll(`par${n}`);
    await c2.createIndex({ a: 1, b: 1 });
    await expect(c2.insertOne({ a: [1, 2], b: [3, 4] })).rejects.toMatchObject({ code: 171 });
    expect(await c2.countDocuments({})).toBe(0);
  });
  it('unique on arrays indexes each element; compound and partial', async () => {
    await coll().createIndex({ tags: 1 }, { unique: true });
    await coll().insertOne({ tags: ['a', 'b'] });
    await coll().insertOne({ tags: ['c', 'c'] });
    await expect(coll().insertOne({ tags: ['x', 'b'] })).rejects.toMatchObject({ code: 11000, keyValue: { tags: 'b' } });
    const c2 = coll(`cp${n}`);
    await c2.createIndex({ a: 1, b: 1 }, { unique: true });
    await c2.insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }]);
    const e = await c2.insertOne({ a: 1, b: 1 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 11000, keyPattern: { a: 1, b: 1 }, keyValue: { a: 1, b: 1 } });
    expect((e as Error).message).toContain('dup key: { a: 1, b: 1 }');
    const p = coll(`p${n}`);
    await p.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await p.insertMany([{ email: 'a', active: false }, { email: 'a', active: false }, { email: 'a', active: true }]);
    await expect(p.insertOne({ email: 'a', active: true })).rejects.toMatchObject({ code: 11000 });
  });
  it('building a unique index over duplicates fails with 11000', async () => {
    await coll().insertMany([{ k: 1 }, { k: 1 }]);
    await expect(coll().createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
  });
  it('equality lookups through the index see updates and deletes', async () => {
    await coll().createIndex({ k: 1 });
    await coll().insertMany([{ k: 1, v: 'a' }, { k: 2, v: 'b' }, { k: 1, v: 'c' }]);
    await coll().updateOne({ v: 'a' }, { $set: { k: 3 } });
    await coll().deleteOne({ v: 'c' });
    expect(await coll().countDocuments({ k: 1 })).toBe(0);
    expect((await coll().findOne({ k: 3 }))!.v).toBe('a');
    expect(await coll().countDocuments({ k: { $eq: 2 } })).toBe(1);
  });
  it('TTL indexes expire documents', async () => {
    await coll().createIndex({ at: 1 }, { expireAfterSeconds: 0 });
    await coll().insertMany([{ at: new Date(Date.now() - 1000) }, { at: new Date(Date.now() + 3_600_000) }, { at: 'not a date' }]);
    for (let i = 0; i < 100 && (await coll().countDocuments()) > 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await coll().countDocuments()).toBe(2);
  });
});

describe('more semantics', () => {
  it('aggregate $sort uses the BSON cross-type order too', async () => {
    await coll().insertMany([{ v: 'a' }, { v: new ObjectId() }, { v: 2 }, { v: null }, { v: true }, {}]);
    const r = await coll().aggregate([{ $sort: { v: 1 } }, { $project: { _id: 0, t: { $type: '$v' } } }]).toArray();
    expect(r.map((x) => x.t)).toEqual(['null', 'missing', 'int', 'string', 'objectId', 'bool']);
  });
  it('indexed lookups on dotted and multikey fields agree with a scan', async () => {
    await coll().createIndex({ 'p.city': 1 });
    await coll().createIndex({ tags: 1 });
    await coll().insertMany([
      { p: { city: 'A' }, tags: ['x', 'y'] }, { p: [{ city: 'A' }, { city: 'B' }], tags: 'x' }, { p: { city: 'B' }, tags: [] }, { tags: null },
    ]);
    expect(await coll().countDocuments({ 'p.city': 'A' })).toBe(2);
    expect(await coll().countDocuments({ 'p.city': 'B' })).toBe(2);
    expect(await coll().countDocuments({ tags: 'x' })).toBe(2);
    expect(await coll().countDocuments({ tags: null })).toBe(1);
    expect(await coll().countDocuments({ 'p.city': 'A', tags: 'y' })).toBe(1);
  });
  it('a unique violation inside a multi-statement update is a per-statement write error', async () => {
    await coll().createIndex({ u: 1 }, { unique: true });
    await coll().insertMany([{ _id: 1, u: 1 }, { _id: 2, u: 2 }] as never[]);
    const r = await db.command({
      update: coll().collectionName,
      updates: [{ q: { _id: 1 }, u: { $set: { x: 1 } } }, { q: { _id: 1 }, u: { $set: { u: 2 } } }, { q: { _id: 2 }, u: { $set: { x: 2 } } }],
      ordered: false,
    });
    expect(r.n).toBe(2);
    expect(r.nModified).toBe(2);
    expect(r.writeErrors).toHaveLength(1);
    expect(r.writeErrors[0]).toMatchObject({ index: 1, code: 11000, keyValue: { u: 2 } });
  });
  it('replacement upsert takes _id from the query', async () => {
    const r = await coll().replaceOne({ _id: 'k' } as never, { v: 1 }, { upsert: true });
    expect(r.upsertedId).toBe('k');
    expect(await coll().findOne({ _id: 'k' } as never)).toEqual({ _id: 'k', v: 1 });
  });
  it('documents over 16 MB are refused', async () => {
    await expect(coll().insertOne({ big: 'x'.repeat(16 * 1024 * 1024) })).rejects.toBeTruthy();
    expect(await coll().countDocuments()).toBe(0);
  });
});

describe('unsupported paths answer with errors, never wrong results', () => {
  it('query operators', async () => {
    await coll().insertOne({ a: 1 });
    await expect(coll().find({ $text: { $search: 'x' } }).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(coll().find({ loc: { $near: [0, 0] } }).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(coll().find({ $where: 'true' }).toArray()).rejects.toMatchObject({ code: 115 });
    expect(await coll().countDocuments({ a: 1, $comment: 'ignored' })).toBe(1);
  });
  it('stages', async () => {
    await expect(coll().aggregate([{ $geoNear: {} }]).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(coll().aggregate([{ $merge: 'x' }]).toArray()).rejects.toMatchObject({ code: 115 });
    await expect(coll().aggregate([{ $bogus: {} }]).toArray()).rejects.toMatchObject({ code: 40324 });
    await expect(coll().aggregate([{ $out: 'x' }, { $match: {} }]).toArray()).rejects.toMatchObject({ code: 40601 });
  });
  it('collation is refused', async () => {
    await expect(coll().find({}, { collation: { locale: 'en', strength: 2 } }).toArray()).rejects.toMatchObject({ code: 115 });
  });
});
