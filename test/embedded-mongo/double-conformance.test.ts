/**
 * Doubles kept apart from int32 on the embedded engine, as MongoDB stores them: `1.0` written as a
 * double stays a double (BSON 0x01, `$type: 'double'`), `1` stays an int32, while both are the same
 * number to every comparison ("numeric types undergo conversion before comparison"). Arithmetic with a
 * double gives a double ($inc, $mul, $add). Through the official driver and mongoose's `Double`/`Int32`.
 */
import mongoose from 'mongoose';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, useDriverOnEngine } from '../helpers/embedded-mongo.js';

const { Double, Int32, MongoClient } = mongoose.mongo;
const engine = useDriverOnEngine('doubles');
// Numeric _ids: loosely typed collections.
const filled = async (docs: object[]) => (await engine.filled(docs)) as unknown as mongoose.mongo.Collection<any>;
const ids = (docs: Array<{ _id?: unknown }>) => docs.map((d) => d._id);
/** The stored BSON types, read without promotion. */
const raw = async (c: mongoose.mongo.Collection<any>, id: unknown) => c.findOne({ _id: id }, { promoteValues: false });

describe('a double stays a double', () => {
  it('1.0 round-trips as a double, 1 as an int32; $type tells them apart, comparisons do not', async () => {
    const c = await filled([
      { _id: 1, x: new Double(1) },
      { _id: 2, x: 1 },
      { _id: 3, x: 1.5 },
      { _id: 4, x: [new Double(2), 3] },
    ]);
    const one = (await raw(c, 1))!;
    expect(one.x).toBeInstanceOf(Double);
    expect((await raw(c, 2))!.x).toBeInstanceOf(Int32);
    expect(ids(await c.find({ x: { $type: 'double' } }).sort({ _id: 1 }).toArray())).toEqual([1, 3, 4]);
    expect(ids(await c.find({ x: { $type: 'int' } }).sort({ _id: 1 }).toArray())).toEqual([2, 4]);
    expect(ids(await c.find({ x: 1 }).sort({ _id: 1 }).toArray())).toEqual([1, 2]);
    expect(ids(await c.find({ x: { $gte: 1, $lt: 1.5 } }).sort({ _id: 1 }).toArray())).toEqual([1, 2]);
    expect(ids(await c.find({ x: { $in: [2] } }).toArray())).toEqual([4]);
    expect(ids(await c.find().sort({ x: 1, _id: 1 }).toArray())).toEqual([1, 2, 3, 4]);
    const types = await c.aggregate([{ $match: { _id: { $lte: 3 } } }, { $project: { t: { $type: '$x' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(types.map((d) => d.t)).toEqual(['double', 'int', 'double']);
  });

  it('a unique index treats 1 and 1.0 as one key', async () => {
    const c = await filled([{ _id: 1, k: new Double(1) }]);
    await c.createIndex({ k: 1 }, { unique: true });
    await expect(c.insertOne({ _id: 2, k: 1 })).rejects.toMatchObject({ code: 11000 });
    expect(ids(await c.find({ k: 1 }).toArray())).toEqual([1]);
  });

  it('updates of other fields, update pipelines and a restart keep the double', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'doubles-'));
    try {
      let m = await startTestMongo({ dbPath: dir });
      let cl = await MongoClient.connect(m.uri);
      const c = cl.db('d').collection<any>('c');
      await c.insertOne({ _id: 1, d: new Double(5), n: 'a' });
      await c.updateOne({ _id: 1 }, { $set: { n: 'b' } });
      await c.updateOne({ _id: 1 }, [{ $set: { n: 'c' } }]);
      await c.updateOne({ _id: 1 }, { $set: { e: new Double(3) } });
      await cl.close();
      await m.close();
      m = await startTestMongo({ dbPath: dir });
      cl = await MongoClient.connect(m.uri);
      const back = (await cl.db('d').collection<any>('c').findOne({ _id: 1 }, { promoteValues: false }))!;
      expect(back.d).toEqual(new Double(5));
      expect(back.e).toEqual(new Double(3));
      expect(back.n).toBe('c');
      await cl.close();
      await m.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('arithmetic with a double gives a double', () => {
  it('$inc and $mul of a double, or by a double, store a double; int32 by int32 stays int32', async () => {
    const c = await filled([{ _id: 1, d: new Double(1), i: 1, j: 2, h: 0.5 }]);
    await c.updateOne({ _id: 1 }, { $inc: { d: 1, i: new Double(1), h: 0.5 }, $mul: { j: 3 } });
    const doc = (await raw(c, 1))!;
    expect(doc.d).toEqual(new Double(2));
    expect(doc.i).toEqual(new Double(2));
    expect(doc.h).toEqual(new Double(1));
    expect(doc.j).toEqual(new Int32(6));
    expect(ids(await c.find({ d: { $type: 'double' }, i: { $type: 'double' }, h: 2 - 1 }).toArray())).toEqual([1]);
  });

  it('$min/$max compare a double with an int32 by value', async () => {
    const c = await filled([{ _id: 1, lo: new Double(5), hi: new Double(5) }]);
    await c.updateOne({ _id: 1 }, { $min: { lo: 4 }, $max: { hi: 4 } });
    const doc = (await raw(c, 1))!;
    expect(doc.lo).toEqual(new Int32(4));
    expect(doc.hi).toEqual(new Double(5));
  });

  it('$addToSet and $pullAll see 1, 1n and 1.0 as one value', async () => {
    const c = await filled([{ _id: 1, a: [1, 2], b: [new Double(3)] }]);
    expect((await c.updateOne({ _id: 1 }, { $addToSet: { a: new Double(1), b: 3 } })).modifiedCount).toBe(0);
    await c.updateOne({ _id: 1 }, { $addToSet: { a: { $each: [7, 7n, new Double(7), 8] }, fresh: 1 } });
    await c.updateOne({ _id: 1 }, { $pullAll: { a: [new Double(2), 8n] } as never });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, a: [1, 7], b: [3], fresh: [1] });
  });

  it('$add with a double field in an aggregation is a double; $sum adds doubles by value', async () => {
    const c = await filled([{ _id: 1, d: new Double(2), g: 'a' }, { _id: 2, d: 3, g: 'a' }]);
    const [sum] = await c.aggregate([{ $group: { _id: '$g', s: { $sum: '$d' }, mx: { $max: '$d' } } }]).toArray();
    expect(sum).toEqual({ _id: 'a', s: 5, mx: 3 });
    const added = await c.find({ $expr: { $eq: [{ $add: ['$d', 1] }, 3] } }).toArray();
    expect(ids(added)).toEqual([1]);
  });
});

describe('mongoose Double and Int32 schema types', () => {
  let conn: mongoose.Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(engine.uri() + 'doubles_mongoose').asPromise();
  });
  afterAll(async () => {
    await conn.close();
  });

  it('a Double path holding 42 is found by $type double, an Int32 path by $type int', async () => {
    const M = conn.model('Measure', new mongoose.Schema({ d: mongoose.Schema.Types.Double, i: mongoose.Schema.Types.Int32 }));
    await M.create({ d: 42, i: 42 });
    expect(await M.countDocuments({ d: { $type: 'double' } })).toBe(1);
    expect(await M.countDocuments({ d: { $type: 'int' } })).toBe(0);
    expect(await M.countDocuments({ i: { $type: 'int' } })).toBe(1);
    expect(await M.countDocuments({ i: { $type: 'double' } })).toBe(0);
    expect(await M.countDocuments({ d: 42, i: 42 } as never)).toBe(1);
    const doc = (await M.findOne())!;
    expect(doc.d).toEqual(new Double(42));
  });
});
