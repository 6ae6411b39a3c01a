/**
 * Wrong answers found by running mongoose's own test suite against the engine (issue 19, the
 * independent measure), each pinned here from MongoDB's documentation through the official driver,
 * and through mongoose where the finding came from a mongoose feature.
 */
import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDriverOnEngine } from '../helpers/embedded-mongo.js';

const { Binary, ObjectId, DBRef } = mongoose.mongo;
const engine = useDriverOnEngine('suitefindings');
// Documents with numeric _ids: loosely typed collections.
const filled = async (docs: object[]) => (await engine.filled(docs)) as unknown as mongoose.mongo.Collection<any>;
const ids = (docs: Array<{ _id?: unknown }>) => docs.map((d) => d._id);
const bin = (s: string, subtype = 0) => new Binary(Buffer.from(s), subtype);

describe('BinData in range queries', () => {
  // "MongoDB sorts BinData in the following order: first, the length or size of the data; then, by
  // the BSON one-byte subtype; finally, by the data, performing a byte-by-byte comparison."
  it('$gt/$gte/$lt/$lte order BinData by length, then subtype, then bytes', async () => {
    const c = await filled([
      { _id: 1, b: bin('über') }, // 5 bytes
      { _id: 2, b: bin('gh-6863') }, // 7 bytes
      { _id: 3, b: bin('hello world') }, // 11 bytes
      { _id: 4, b: bin('zz') }, // 2 bytes, but "larger" text
      { _id: 5, b: bin('zz', 0x80) },
    ]);
    expect(ids(await c.find({ b: { $gt: bin('über') } }).sort({ _id: 1 }).toArray())).toEqual([2, 3]);
    expect(ids(await c.find({ b: { $gte: bin('über') } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await c.find({ b: { $lt: bin('gh-6863') } }).sort({ _id: 1 }).toArray())).toEqual([1, 4, 5]);
    expect(ids(await c.find({ b: { $lte: bin('zz') } }).sort({ _id: 1 }).toArray())).toEqual([4]);
    expect(ids(await c.find({ b: { $gt: bin('zz') } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 5]);
  });
});

describe('$all with a regular expression', () => {
  // $all is the $and of its members, and `{ field: /re/ }` is a pattern match.
  it('matches a string field or an array element by pattern', async () => {
    const c = await filled([
      { _id: 1, title: 'Aristocats', tags: ['onex', 'twox', 'threex'] },
      { _id: 2, title: 'Cats', tags: ['two'] },
    ]);
    expect(ids(await c.find({ title: { $all: [/^Aristocats/] } }).toArray())).toEqual([1]);
    expect(ids(await c.find({ tags: { $all: [/^ONEX/i, 'twox'] } }).toArray())).toEqual([1]);
    expect(ids(await c.find({ tags: { $all: [/^two/] } }).sort({ _id: 1 }).toArray())).toEqual([1, 2]);
  });
});

describe('$set of BinData that differs only in subtype', () => {
  it('writes the new subtype (BinData equality includes the subtype)', async () => {
    const c = await filled([{ _id: 1, b: bin('hi', 0x80), nested: { b: bin('hi', 0x80) } }]);
    const r = await c.updateOne({ _id: 1 }, { $set: { b: bin('hi', 0), nested: { b: bin('hi', 0) } } });
    expect(r.modifiedCount).toBe(1);
    const doc = (await c.findOne({ _id: 1 }))!;
    expect((doc.b as InstanceType<typeof Binary>).sub_type).toBe(0);
    expect((doc.nested.b as InstanceType<typeof Binary>).sub_type).toBe(0);
    // The same value again is no change.
    expect((await c.updateOne({ _id: 1 }, { $set: { b: bin('hi', 0) } })).modifiedCount).toBe(0);
  });
});

describe('DBRef fields and other literal field names in queries', () => {
  it('$elemMatch on $id finds an array of DBRefs', async () => {
    const target = new ObjectId();
    const c = await filled([
      { _id: 1, members: [new DBRef('users', target, 'app')] },
      { _id: 2, members: [new DBRef('users', new ObjectId())] },
    ]);
    expect(ids(await c.find({ members: { $elemMatch: { $id: target } } }).toArray())).toEqual([1]);
    expect(ids(await c.find({ 'members.$id': target }).toArray())).toEqual([1]);
    expect(ids(await c.find({ members: { $elemMatch: { $ref: 'users', $db: 'app' } } }).toArray())).toEqual([1]);
  });

  it('__proto__ in a $set value is stored as a field, and as a $rename target', async () => {
    const c = await filled([{ _id: 1, path1: {}, hello: 'world' }]);
    const value = Object.defineProperty({}, '__proto__', { value: 'abcd', enumerable: true, writable: true, configurable: true });
    await c.updateOne({ _id: 1 }, { $set: { path1: value } });
    await c.updateOne({ _id: 1 }, { $rename: { hello: '__proto__.polluted' } });
    const doc = (await c.findOne({ _id: 1 }))!;
    expect(Object.hasOwn(doc.path1, '__proto__')).toBe(true);
    expect(doc.path1.__proto__).toBe('abcd');
    expect(Object.hasOwn(doc, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')!.value).toEqual({ polluted: 'world' });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('dollar-prefixed field names in upserts', () => {
  // "An update which creates a new document during an upsert is treated as an insert ... Upserts can
  // accept dollar ($) prefixed fields ... If this sample code matches an existing document, the update
  // will fail since $hotel is dollar ($) prefixed."
  it('an upsert that inserts stores a top-level $-prefixed field; matching an existing document it fails', async () => {
    const c = await filled([]);
    await c.updateOne({ date: '2021-07-07' }, { $set: { phone: 25.17, $hotel: 320.1 } }, { upsert: true });
    expect(await c.findOne({ date: '2021-07-07' }, { projection: { _id: 0 } })).toEqual({ date: '2021-07-07', phone: 25.17, $hotel: 320.1 });
    await expect(c.updateOne({ date: '2021-07-07' }, { $set: { phone: 25.17, $hotel: 320.1 } }, { upsert: true })).rejects.toMatchObject({ code: 52 });
  });
});

describe('update paths that cannot be created', () => {
  // MongoDB refuses (PathNotViable, code 28) a path that continues through a scalar, through null, or
  // through an array by a field name, instead of skipping it.
  it('refuses $set through an array by name and through a scalar, and changes nothing', async () => {
    const c = await filled([{ _id: 1, comments: [{ body: 'a' }, { body: 'b' }], n: 5, z: null }]);
    await expect(c.updateOne({ _id: 1 }, { $set: { 'comments.body': 'fail' } })).rejects.toMatchObject({ code: 28 });
    await expect(c.updateOne({ _id: 1 }, { $set: { 'n.x': 1 } })).rejects.toMatchObject({ code: 28 });
    await expect(c.updateOne({ _id: 1 }, { $inc: { 'z.x': 1 } })).rejects.toMatchObject({ code: 28 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, comments: [{ body: 'a' }, { body: 'b' }], n: 5, z: null });
    // By index, and into a missing sub-document, the path is fine.
    await c.updateOne({ _id: 1 }, { $set: { 'comments.1.body': 'B', 'new.deep.x': 1 } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, comments: [{ body: 'a' }, { body: 'B' }], n: 5, z: null, new: { deep: { x: 1 } } });
  });
});

describe('update operators on a value of the wrong type', () => {
  // $push/$addToSet/$pop: "If the field is not an array, the operation will fail." $inc/$mul need a
  // number. MongoDB fails the statement; it does not skip the path.
  it('refuses $push, $addToSet, $pop, $pullAll on a non-array and $inc/$mul on a non-number', async () => {
    const c = await filled([{ _id: 1, num: 42, s: 'x', arr: [1] }]);
    await expect(c.updateOne({ _id: 1 }, { $push: { num: 43 } as never })).rejects.toMatchObject({ code: 2 });
    await expect(c.updateOne({ _id: 1 }, { $addToSet: { num: 43 } })).rejects.toMatchObject({ code: 2 });
    await expect(c.updateOne({ _id: 1 }, { $pullAll: { num: [42] } as never })).rejects.toMatchObject({ code: 2 });
    await expect(c.updateOne({ _id: 1 }, { $pop: { num: 1 } })).rejects.toMatchObject({ code: 14 });
    await expect(c.updateOne({ _id: 1 }, { $inc: { s: 1 } })).rejects.toMatchObject({ code: 14 });
    await expect(c.updateOne({ _id: 1 }, { $mul: { arr: 2 } })).rejects.toMatchObject({ code: 14 });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, num: 42, s: 'x', arr: [1] });
  });

  it('in an unordered bulk write only the failing statement fails', async () => {
    const c = await filled([{ _id: 1, num: 42 }]);
    const err = await c
      .bulkWrite([{ updateOne: { filter: { _id: 1 }, update: { $push: { num: 1 } as never } } }, { updateOne: { filter: { _id: 1 }, update: { $inc: { num: 57 } } } }], { ordered: false })
      .catch((e: unknown) => e as { writeErrors?: unknown[] });
    expect((err as { writeErrors: Array<{ index: number; code: number }> }).writeErrors.map((w) => [w.index, w.code])).toEqual([[0, 2]]);
    expect((await c.findOne({ _id: 1 }))!.num).toBe(99);
  });
});

describe('hint', () => {
  // A hinted index is scanned in key order: with no sort, that is the order of the answer.
  it('returns documents in the hinted index order, in find and aggregate', async () => {
    const c = await filled([
      { _id: 1, name: 'Andrew', qty: 4 },
      { _id: 2, name: 'Betty', qty: 5 },
      { _id: 3, name: 'Charlie', qty: 4 },
    ]);
    await c.createIndex({ qty: -1, name: -1 });
    expect(ids(await c.find({}, { hint: { qty: -1, name: -1 } }).toArray())).toEqual([2, 3, 1]);
    expect(ids(await c.aggregate([{ $match: {} }], { hint: 'qty_-1_name_-1' }).toArray())).toEqual([2, 3, 1]);
    // An explicit sort still wins.
    expect(ids(await c.find({}, { hint: { qty: -1, name: -1 } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await c.find({}, { hint: { $natural: -1 } }).toArray())).toEqual([3, 2, 1]);
  });
});

describe('through mongoose', () => {
  let conn: mongoose.Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(engine.uri() + 'suitefindings_mongoose').asPromise();
  });
  afterAll(async () => {
    await conn.close();
  });

  it('Buffer paths: range queries, $in/$nin, and a changed subtype that is saved', async () => {
    const Blob = conn.model('Blob', new Schema({ name: String, block: Buffer }));
    await Blob.create([
      { name: 'A', block: Buffer.from('über') },
      { name: 'B', block: Buffer.from('buffer shtuffs are neat') },
      { name: 'C', block: Buffer.from('hello world') },
    ]);
    expect((await Blob.find({ block: { $gt: 'über' } }).sort({ name: 1 })).map((d) => d.name)).toEqual(['B', 'C']);
    expect((await Blob.find({ block: { $lte: 'hello world' } }).sort({ name: 1 })).map((d) => d.name)).toEqual(['A', 'C']);
    expect((await Blob.find({ block: { $nin: ['über'] } }).sort({ name: 1 })).map((d) => d.name)).toEqual(['B', 'C']);
    const a = (await Blob.findOne({ name: 'A' }))!;
    (a.block as unknown as { subtype(n: number): void }).subtype(0x80);
    await a.save();
    const again = (await Blob.findOne({ name: 'A' }))!;
    expect((again.block as unknown as { _subtype: number })._subtype).toBe(0x80);
  });

  it('an upsert through a schema path named $myKey stores it', async () => {
    const Test = conn.model('DollarKey', new Schema({ $myKey: String }));
    const _id = new mongoose.Types.ObjectId();
    await Test.updateOne({ _id }, { $myKey: 'gh13786' } as never, { upsert: true });
    expect((await Test.findById(_id).lean())!.$myKey).toBe('gh13786');
  });
});
