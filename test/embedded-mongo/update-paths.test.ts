/**
 * Conformance of findAndModify's returned document and of update paths through array elements
 * (positional `$`, `$[]`, `$[id]` with arrayFilters), driven through the official driver
 * (mongoose's copy). Expectations follow MongoDB's documented behaviour:
 * - findAndModify returns the pre- or post-image (per `new` / returnDocument) with `fields`
 *   applied, whether or not that image still matches the query;
 * - two update paths conflict (code 40) iff they are equal or one is a prefix of the other by
 *   path components; sibling fields of one array element do not conflict;
 * - positional `$` and array filters are resolved against the document as it was before the update.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/embedded-mongo/index.js';

const { MongoClient } = mongoose.mongo;

let mongo: EmbeddedMongo;
let client: mongoose.mongo.MongoClient;
let db: mongoose.mongo.Db;
let n = 0;
const coll = () => db.collection(`u${n}`);

beforeAll(async () => {
  mongo = await startEmbeddedMongo({});
  client = await MongoClient.connect(mongo.uri);
  db = client.db('paths');
});
afterAll(async () => {
  await client.close();
  await mongo.close();
});
beforeEach(() => {
  n++;
});

const t0 = new Date('2024-05-01T08:00:00Z');
const t1 = new Date('2024-05-01T09:00:00Z');
const t2 = new Date('2024-05-01T10:00:00Z');

describe('findAndModify returns the projected document', () => {
  it('post-image with a projection, even when the update makes it leave the query', async () => {
    await coll().insertOne({ _id: 1, state: 'pending', body: 'x', tries: 0 } as never);
    const after = await coll().findOneAndUpdate(
      { state: 'pending' },
      { $set: { state: 'sent' }, $inc: { tries: 1 } },
      { returnDocument: 'after', projection: { state: 1, tries: 1 } },
    );
    expect(after).toEqual({ _id: 1, state: 'sent', tries: 1 });
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({ _id: 1, state: 'sent', body: 'x', tries: 1 });
  });

  it('pre-image with an exclusion projection', async () => {
    await coll().insertOne({ _id: 1, state: 'pending', body: 'x' } as never);
    const before = await coll().findOneAndUpdate({ state: 'pending' }, { $set: { state: 'sent' } }, { projection: { body: 0 } });
    expect(before).toEqual({ _id: 1, state: 'pending' });
  });

  it('with includeResultMetadata the value and lastErrorObject are both present', async () => {
    await coll().insertOne({ _id: 1, state: 'pending' } as never);
    const r = await coll().findOneAndUpdate(
      { state: 'pending' },
      { $set: { state: 'sent' } },
      { returnDocument: 'after', projection: { _id: 0, state: 1 }, includeResultMetadata: true },
    );
    expect(r.value).toEqual({ state: 'sent' });
    expect(r.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
  });

  it('with sort picks the first in sort order and projects it', async () => {
    await coll().insertMany([
      { _id: 1, q: 'job', due: t2, state: 'ready' },
      { _id: 2, q: 'job', due: t0, state: 'ready' },
      { _id: 3, q: 'job', due: t1, state: 'ready' },
    ] as never[]);
    const claimed = await coll().findOneAndUpdate(
      { q: 'job', state: 'ready' },
      { $set: { state: 'running' } },
      { sort: { due: 1 }, returnDocument: 'after', projection: { _id: 1, state: 1 } },
    );
    expect(claimed).toEqual({ _id: 2, state: 'running' });
    const next = await coll().findOneAndUpdate(
      { q: 'job', state: 'ready' },
      { $set: { state: 'running' } },
      { sort: { due: 1 }, projection: { _id: 1, state: 1 } },
    );
    expect(next).toEqual({ _id: 3, state: 'ready' });
  });

  it('remove: true returns the deleted document projected', async () => {
    await coll().insertMany([{ _id: 1, k: 'a', v: 1, big: 'x' }, { _id: 2, k: 'a', v: 2, big: 'y' }] as never[]);
    const gone = await coll().findOneAndDelete({ k: 'a' }, { sort: { v: -1 }, projection: { _id: 0, v: 1 } });
    expect(gone).toEqual({ v: 2 });
    expect(await coll().countDocuments({})).toBe(1);
  });

  it('upsert + returnDocument after + projection returns the inserted document projected', async () => {
    const r = await coll().findOneAndUpdate(
      { key: 'seq' },
      { $inc: { n: 1 }, $setOnInsert: { created: t0 } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0, n: 1, created: 1 } },
    );
    expect(r).toEqual({ n: 1, created: t0 });
    // The seeded field may be overwritten, so the post-image no longer matches the query.
    const moved = await coll().findOneAndUpdate(
      { key: 'tmp' },
      { $set: { key: 'final', v: 7 } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0, key: 1, v: 1 } },
    );
    expect(moved).toEqual({ key: 'final', v: 7 });
    // An upsert that inserts returns null as its pre-image.
    const pre = await coll().findOneAndUpdate({ key: 'other' }, { $set: { v: 1 } }, { upsert: true, projection: { v: 1 } });
    expect(pre).toBeNull();
  });

  it('positional projection returns the element the query matched', async () => {
    await coll().insertOne({ _id: 1, items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }] } as never);
    const before = await coll().findOneAndUpdate(
      { 'items.k': 'b' },
      { $inc: { 'items.$.v': 10 } },
      { projection: { 'items.$': 1 } },
    );
    expect(before).toEqual({ _id: 1, items: [{ k: 'b', v: 2 }] });
    const after = await coll().findOneAndUpdate(
      { 'items.k': 'b' },
      { $inc: { 'items.$.v': 10 } },
      { projection: { 'items.$': 1 }, returnDocument: 'after' },
    );
    expect(after).toEqual({ _id: 1, items: [{ k: 'b', v: 22 }] });
  });
});

describe('several paths through one array element', () => {
  it('$set and $inc of sibling fields of the element chosen by $[e]', async () => {
    await coll().insertOne({
      _id: 1,
      outbox: [{ id: 'w', state: 'pending', attempts: 0 }, { id: 'x', state: 'pending', attempts: 2 }],
    } as never);
    const r = await coll().updateOne(
      { _id: 1 } as never,
      { $set: { 'outbox.$[e].state': 'delivered', 'outbox.$[e].deliveredAt': t1 }, $inc: { 'outbox.$[e].attempts': 1 } },
      { arrayFilters: [{ 'e.id': 'x' }] },
    );
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 1]);
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({
      _id: 1,
      outbox: [
        { id: 'w', state: 'pending', attempts: 0 },
        { id: 'x', state: 'delivered', attempts: 3, deliveredAt: t1 },
      ],
    });
  });

  it('array filters are evaluated before the update, even on a field the update changes', async () => {
    await coll().insertOne({
      _id: 1,
      outbox: [
        { id: 'a', state: 'pending', nextAttemptAt: t0 },
        { id: 'b', state: 'pending', nextAttemptAt: t2 },
        { id: 'c', state: 'failed', nextAttemptAt: t0 },
      ],
    } as never);
    const r = await coll().updateOne(
      { _id: 1 } as never,
      { $set: { 'outbox.$[e].state': 'sending', 'outbox.$[e].claimedAt': t1 }, $inc: { 'outbox.$[e].attempts': 1 } },
      { arrayFilters: [{ 'e.state': 'pending', 'e.nextAttemptAt': { $lte: t1 } }] },
    );
    expect(r.modifiedCount).toBe(1);
    const d = (await coll().findOne({ _id: 1 } as never))!;
    expect(d.outbox).toEqual([
      { id: 'a', state: 'sending', nextAttemptAt: t0, claimedAt: t1, attempts: 1 },
      { id: 'b', state: 'pending', nextAttemptAt: t2 },
      { id: 'c', state: 'failed', nextAttemptAt: t0 },
    ]);
  });

  it('$[] with two sibling fields updates every element', async () => {
    await coll().insertOne({ _id: 1, items: [{ v: 1 }, { v: 2 }] } as never);
    await coll().updateOne({ _id: 1 } as never, { $set: { 'items.$[].seen': true }, $inc: { 'items.$[].v': 1 } } as never);
    expect((await coll().findOne({ _id: 1 } as never))!.items).toEqual([{ v: 2, seen: true }, { v: 3, seen: true }]);
  });

  it('positional $ with two sibling fields, including the field the query matched on', async () => {
    await coll().insertOne({ _id: 1, items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }, { k: 'b', v: 3 }] } as never);
    const r = await coll().updateOne({ _id: 1, 'items.k': 'b' } as never, { $set: { 'items.$.k': 'done', 'items.$.at': t0 }, $inc: { 'items.$.v': 100 } } as never);
    expect(r.modifiedCount).toBe(1);
    expect((await coll().findOne({ _id: 1 } as never))!.items).toEqual([
      { k: 'a', v: 1 },
      { k: 'done', v: 102, at: t0 },
      { k: 'b', v: 3 },
    ]);
  });

  it('positional $ after $elemMatch on two fields picks the element matching both', async () => {
    await coll().insertOne({ _id: 1, items: [{ k: 'a', s: 1 }, { k: 'b', s: 1 }, { k: 'b', s: 2 }] } as never);
    await coll().updateOne({ items: { $elemMatch: { k: 'b', s: 2 } } }, { $set: { 'items.$.hit': true, 'items.$.s': 3 } } as never);
    expect((await coll().findOne({ _id: 1 } as never))!.items).toEqual([{ k: 'a', s: 1 }, { k: 'b', s: 1 }, { k: 'b', s: 3, hit: true }]);
  });

  it('positional $ with the array condition inside $or', async () => {
    await coll().insertOne({ _id: 1, items: [{ k: 'a' }, { k: 'b' }] } as never);
    await coll().updateOne({ $or: [{ 'items.k': 'b' }, { other: 1 }] }, { $set: { 'items.$.hit': true, 'items.$.n': 1 } } as never);
    expect((await coll().findOne({ _id: 1 } as never))!.items).toEqual([{ k: 'a' }, { k: 'b', hit: true, n: 1 }]);
  });

  it('$set and $unset of sibling fields of one element', async () => {
    await coll().insertOne({ _id: 1, outbox: [{ id: 'x', state: 'sending', lease: 'w1' }] } as never);
    await coll().updateOne(
      { _id: 1 } as never,
      { $set: { 'outbox.$[e].state': 'pending' }, $unset: { 'outbox.$[e].lease': '' } },
      { arrayFilters: [{ 'e.id': 'x' }] },
    );
    expect((await coll().findOne({ _id: 1 } as never))!.outbox).toEqual([{ id: 'x', state: 'pending' }]);
  });

  it('$[i] and $[j] through nested arrays', async () => {
    await coll().insertOne({ _id: 1, rounds: [{ no: 1, units: [{ u: 'a', ok: false }, { u: 'b', ok: false }] }, { no: 2, units: [{ u: 'a', ok: false }] }] } as never);
    await coll().updateOne(
      { _id: 1 } as never,
      { $set: { 'rounds.$[r].units.$[x].ok': true, 'rounds.$[r].units.$[x].at': t0 }, $inc: { 'rounds.$[r].touched': 1 } },
      { arrayFilters: [{ 'r.no': 2 }, { 'x.u': 'a' }] },
    );
    expect((await coll().findOne({ _id: 1 } as never))!.rounds).toEqual([
      { no: 1, units: [{ u: 'a', ok: false }, { u: 'b', ok: false }] },
      { no: 2, units: [{ u: 'a', ok: true, at: t0 }], touched: 1 },
    ]);
  });

  it('an $or array filter and scalar-element filters', async () => {
    await coll().insertOne({ _id: 1, xs: [{ a: 1 }, { b: 2 }, { c: 3 }], nums: [5, 50, 500] } as never);
    await coll().updateOne(
      { _id: 1 } as never,
      { $set: { 'xs.$[o].hit': true, 'nums.$[big]': 0 } },
      { arrayFilters: [{ $or: [{ 'o.a': 1 }, { 'o.c': 3 }] }, { big: { $gte: 50 } }] },
    );
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({ _id: 1, xs: [{ a: 1, hit: true }, { b: 2 }, { c: 3, hit: true }], nums: [5, 0, 0] });
  });

  it('no matching element is a no-op', async () => {
    await coll().insertOne({ _id: 1, outbox: [{ id: 'x', state: 'pending' }] } as never);
    const r = await coll().updateOne({ _id: 1 } as never, { $set: { 'outbox.$[e].state': 'sent', 'outbox.$[e].at': t0 } }, { arrayFilters: [{ 'e.id': 'nope' }] });
    expect([r.matchedCount, r.modifiedCount]).toEqual([1, 0]);
  });

  it('findOneAndUpdate with arrayFilters and a projection', async () => {
    await coll().insertOne({ _id: 1, owner: 'u1', outbox: [{ id: 'x', state: 'pending', attempts: 0 }] } as never);
    const doc = await coll().findOneAndUpdate(
      { owner: 'u1', 'outbox.state': 'pending' },
      { $set: { 'outbox.$[e].state': 'delivered', 'outbox.$[e].deliveredAt': t2 }, $inc: { 'outbox.$[e].attempts': 1 } },
      { arrayFilters: [{ 'e.id': 'x' }], returnDocument: 'after', projection: { _id: 0, outbox: 1 } },
    );
    expect(doc).toEqual({ outbox: [{ id: 'x', state: 'delivered', attempts: 1, deliveredAt: t2 }] });
  });
});

describe('real conflicts are still refused', () => {
  const conflict = { code: 40 };
  beforeEach(async () => {
    await coll().insertOne({ _id: 1, a: [{ id: 1, b: 1, c: 1 }, { id: 2, b: 2, c: 2 }] } as never);
  });
  it('an element and a field inside it', async () => {
    await expect(
      coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[e]': { id: 9 }, 'a.$[e].b': 5 } } as never, { arrayFilters: [{ 'e.id': 1 }] }),
    ).rejects.toMatchObject(conflict);
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[].b': 1 }, $unset: { 'a.$[]': '' } } as never)).rejects.toMatchObject(conflict);
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { a: [] }, $inc: { 'a.$[].b': 1 } } as never)).rejects.toMatchObject(conflict);
  });
  it('the same path in two operators', async () => {
    await expect(
      coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[e].b': 5 }, $inc: { 'a.$[e].b': 1 } } as never, { arrayFilters: [{ 'e.id': 1 }] }),
    ).rejects.toMatchObject(conflict);
    await expect(coll().updateOne({ _id: 1, 'a.id': 2 } as never, { $set: { 'a.$.b': 5 }, $unset: { 'a.$.b': '' } } as never)).rejects.toMatchObject(conflict);
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { x: 1 }, $setOnInsert: { x: 2 } } as never)).rejects.toMatchObject(conflict);
  });
  it('two identifiers that select the same element for the same field', async () => {
    await expect(
      coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[p].b': 5, 'a.$[q].b': 6 } } as never, { arrayFilters: [{ 'p.id': 1 }, { 'q.b': { $lte: 1 } }] }),
    ).rejects.toMatchObject(conflict);
    // Different elements: no conflict.
    const r = await coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[p].b': 5, 'a.$[q].b': 6 } } as never, { arrayFilters: [{ 'p.id': 1 }, { 'q.id': 2 }] });
    expect(r.modifiedCount).toBe(1);
  });
  it('findAndModify answers a conflict as a command error 40', async () => {
    await expect(
      coll().findOneAndUpdate({ _id: 1 } as never, { $set: { 'a.$[e]': {} }, $inc: { 'a.$[e].b': 1 } } as never, { arrayFilters: [{ 'e.id': 1 }] }),
    ).rejects.toMatchObject({ code: 40, codeName: 'ConflictingUpdateOperators' });
  });
  it('nothing was written by a refused update', async () => {
    await coll()
      .updateOne({ _id: 1 } as never, { $set: { 'a.$[e].b': 5 }, $inc: { 'a.$[e].b': 1 } } as never, { arrayFilters: [{ 'e.id': 1 }] })
      .catch(() => undefined);
    expect((await coll().findOne({ _id: 1 } as never))!.a).toEqual([{ id: 1, b: 1, c: 1 }, { id: 2, b: 2, c: 2 }]);
  });
});

describe('array filter validation', () => {
  beforeEach(async () => {
    await coll().insertOne({ _id: 1, a: [{ id: 1 }] } as never);
  });
  it('an identifier without a filter is 2 BadValue; a filter never used is 9 FailedToParse', async () => {
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[e].b': 1 } } as never)).rejects.toMatchObject({ code: 2 });
    await expect(
      coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[e].b': 1 } } as never, { arrayFilters: [{ 'e.id': 1 }, { 'f.id': 1 }] }),
    ).rejects.toMatchObject({ code: 9 });
  });
  it('two filters for one identifier are 9 FailedToParse', async () => {
    await expect(
      coll().updateOne({ _id: 1 } as never, { $set: { 'a.$[e].b': 1 } } as never, { arrayFilters: [{ 'e.id': 1 }, { 'e.x': 1 }] }),
    ).rejects.toMatchObject({ code: 9 });
  });
  it('array updates need an existing array', async () => {
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { 'missing.$[].b': 1 } } as never)).rejects.toMatchObject({ code: 2 });
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { '_id.$[].b': 1 } } as never)).rejects.toMatchObject({ code: expect.any(Number) });
  });
  it('positional $ without the array in the query, or on an upsert that inserts, is 2 BadValue', async () => {
    const noMatch = { code: 2, message: 'The positional operator did not find the match needed from the query.' };
    await expect(coll().updateOne({ _id: 1 } as never, { $set: { 'a.$.b': 1 } } as never)).rejects.toMatchObject(noMatch);
    await expect(coll().updateOne({ _id: 2, 'a.id': 1 } as never, { $set: { 'a.$.b': 1 } } as never, { upsert: true })).rejects.toMatchObject(noMatch);
    expect(await coll().countDocuments({})).toBe(1);
  });
});
