/**
 * 64-bit integers on the embedded engine, as MongoDB documents them: an int64 is its own BSON type
 * (0x12, alias 'long') that round-trips as int64, compares with int32 and double by value (BSON
 * comparison order: "numeric types undergo conversion before comparison"), is exact beyond 2^53,
 * and follows the documented result types of `$inc`, `$add` and `$sum` (the widest operand type;
 * an int32 result that overflows becomes a long). Driven through the official driver (with and
 * without `useBigInt64`) and through mongoose's `BigInt` schema type.
 */
import mongoose from 'mongoose';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';

const { MongoClient, Long, Double, Int32, BSON } = mongoose.mongo;
// Tests use numeric and bigint _ids, so documents are loosely typed.
type Collection = mongoose.mongo.Collection<any>;

const BIG = 2n ** 53n + 1n; // 9007199254740993: not representable as a double
const MAX = 2n ** 63n - 1n;

let mongo: TestMongo;
let big: mongoose.mongo.MongoClient; // useBigInt64: int64 reads as bigint
let plain: mongoose.mongo.MongoClient; // the driver's defaults
let n = 0;

beforeAll(async () => {
  mongo = await startTestMongo();
  big = await MongoClient.connect(mongo.uri, { useBigInt64: true });
  plain = await MongoClient.connect(mongo.uri);
});
afterAll(async () => {
  await big.close();
  await plain.close();
  await mongo.close();
});

async function filled(docs: object[]): Promise<Collection> {
  const c = big.db('int64').collection<any>(`c${++n}`);
  if (docs.length) await c.insertMany(docs.map((d) => ({ ...d })) as never[]);
  return c;
}
const ids = (docs: Array<{ _id?: unknown }>) => docs.map((d) => d._id);

describe('int64 round trip', () => {
  it('an int64 written comes back as bigint with useBigInt64, as Long with promoteLongs: false, exactly beyond 2^53', async () => {
    const c = await filled([{ _id: 1, small: 5n, huge: BIG, max: MAX, min: -(2n ** 63n), neg: -BIG }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, small: 5n, huge: BIG, max: MAX, min: -(2n ** 63n), neg: -BIG });

    const viaPlain = plain.db('int64').collection<any>(c.collectionName);
    const asLong = (await viaPlain.findOne({ _id: 1 }, { promoteLongs: false }))!;
    expect(asLong.small).toBeInstanceOf(Long);
    expect((asLong.huge as InstanceType<typeof Long>).toString()).toBe('9007199254740993');
    expect((asLong.max as InstanceType<typeof Long>).toString()).toBe('9223372036854775807');
    // The driver's default promotes an int64 that fits a double's integer range to a number, and keeps a Long otherwise.
    const promoted = (await viaPlain.findOne({ _id: 1 }))!;
    expect(promoted.small).toBe(5);
    expect(promoted.huge).toBeInstanceOf(Long);
  });

  it('the wire carries int64 as BSON type 0x12, int32 as 0x10 and a fractional number as double 0x01', async () => {
    const c = await filled([{ _id: 1, long_field: 7n, int_field: 7, double_field: 7.5 }]);
    const raw = (await plain.db('int64').collection<any>(c.collectionName).findOne({ _id: 1 }, { raw: true })) as unknown as Uint8Array;
    const bytes = Buffer.from(raw);
    // Each element is [type byte][name]\0[value]: the type is the byte before the field name.
    const typeByte = (name: string): number => bytes[bytes.indexOf(Buffer.from(`${name}\0`)) - 1]!;
    expect(typeByte('long_field')).toBe(0x12);
    expect(typeByte('int_field')).toBe(0x10);
    expect(typeByte('double_field')).toBe(0x01);
    expect(BSON.deserialize(bytes, { useBigInt64: true })).toEqual({ _id: 1, long_field: 7n, int_field: 7, double_field: 7.5 });
  });

  it('int64 values survive a restart from the on-disk log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'int64-'));
    try {
      let m = await startTestMongo({ dbPath: dir });
      let cl = await MongoClient.connect(m.uri, { useBigInt64: true });
      await cl.db('d').collection<any>('c').insertMany([{ _id: 1, v: BIG }, { _id: 2, v: 3n }]);
      await cl.db('d').collection<any>('c').updateOne({ _id: 2 }, { $inc: { v: 1 } });
      await cl.close();
      await m.close();
      m = await startTestMongo({ dbPath: dir });
      cl = await MongoClient.connect(m.uri, { useBigInt64: true });
      expect(await cl.db('d').collection<any>('c').find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, v: BIG }, { _id: 2, v: 4n }]);
      await cl.close();
      await m.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('int64 in queries: numbers compare by value across int32, int64 and double', () => {
  it('equality, $in and $ne match 1, 1n and 1.0 alike', async () => {
    const c = await filled([{ _id: 1, x: 1n }, { _id: 2, x: 1 }, { _id: 3, x: new Double(1) }, { _id: 4, x: 2n }, { _id: 5, x: [3, 1n] }]);
    expect(ids(await c.find({ x: 1 }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 5]);
    expect(ids(await c.find({ x: 1n }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 5]);
    expect(ids(await c.find({ x: { $in: [2, 7n] } }).sort({ _id: 1 }).toArray())).toEqual([4]);
    expect(ids(await c.find({ x: { $nin: [1] } }).sort({ _id: 1 }).toArray())).toEqual([4]);
    expect(ids(await c.find({ x: { $ne: 1n } }).sort({ _id: 1 }).toArray())).toEqual([4]);
  });

  it('values beyond 2^53 are exact: 2^53 + 1 is neither equal to nor below 2^53', async () => {
    const c = await filled([{ _id: 1, x: BIG }, { _id: 2, x: BIG - 1n }, { _id: 3, x: 2 ** 53 }, { _id: 4, x: 2 ** 53 + 2 }]);
    expect(ids(await c.find({ x: BIG }).toArray())).toEqual([1]);
    // 2^53 as int64 and as double are the same number.
    expect(ids(await c.find({ x: BIG - 1n }).sort({ _id: 1 }).toArray())).toEqual([2, 3]);
    expect(ids(await c.find({ x: { $gt: BIG - 1n } }).sort({ _id: 1 }).toArray())).toEqual([1, 4]);
    expect(ids(await c.find({ x: { $lt: BIG } }).sort({ _id: 1 }).toArray())).toEqual([2, 3]);
    expect(ids(await c.find({ x: { $gte: 2 ** 53 + 2 } }).toArray())).toEqual([4]);
    expect(ids(await c.find({ x: { $elemMatch: { $gte: 0 } } }).toArray())).toEqual([]);
  });

  it('sort orders int32, int64 and double together by value', async () => {
    const c = await filled([{ _id: 1, x: 10n }, { _id: 2, x: 9 }, { _id: 3, x: 9.5 }, { _id: 4, x: BIG }, { _id: 5, x: -3n }, { _id: 6, x: 'a' }]);
    expect(ids(await c.find().sort({ x: 1 }).toArray())).toEqual([5, 2, 3, 1, 4, 6]);
    expect(ids(await c.find().sort({ x: -1 }).toArray())).toEqual([6, 4, 1, 3, 2, 5]);
  });

  it("$type 'long' (18) matches int64 only; 'number' matches every numeric type", async () => {
    const c = await filled([{ _id: 1, x: 1n }, { _id: 2, x: 1 }, { _id: 3, x: 1.5 }, { _id: 4, x: BIG }, { _id: 5, x: '1' }]);
    expect(ids(await c.find({ x: { $type: 'long' } }).sort({ _id: 1 }).toArray())).toEqual([1, 4]);
    expect(ids(await c.find({ x: { $type: 18 } }).sort({ _id: 1 }).toArray())).toEqual([1, 4]);
    expect(ids(await c.find({ x: { $type: 'number' } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 4]);
    const typed = await c.aggregate([{ $match: { _id: { $lte: 2 } } }, { $project: { t: { $type: '$x' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(typed).toEqual([{ _id: 1, t: 'long' }, { _id: 2, t: 'int' }]);
  });

  it('$bitsAllSet and $bitsAnyClear test the bits of an int64, above bit 53 too', async () => {
    const c = await filled([{ _id: 1, x: (1n << 60n) | 5n }, { _id: 2, x: 5n }, { _id: 3, x: -1n }]);
    expect(ids(await c.find({ x: { $bitsAllSet: [0, 2, 60] } }).sort({ _id: 1 }).toArray())).toEqual([1, 3]);
    expect(ids(await c.find({ x: { $bitsAnyClear: [60] } }).sort({ _id: 1 }).toArray())).toEqual([2]);
    expect(ids(await c.find({ x: { $bitsAllSet: 5 } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
  });

  it('an index on an int64 field finds it by an int32 or double equal value, and a unique index treats 1 and 1n as the same key', async () => {
    const c = await filled([{ _id: 1, k: 1n }, { _id: 2, k: BIG }]);
    await c.createIndex({ k: 1 }, { unique: true });
    expect(ids(await c.find({ k: 1 }).toArray())).toEqual([1]);
    expect(ids(await c.find({ k: BIG }).toArray())).toEqual([2]);
    await expect(c.insertOne({ _id: 3, k: 1 })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertOne({ _id: 4, k: new Double(1) })).rejects.toMatchObject({ code: 11000 });
    await c.insertOne({ _id: 5, k: BIG + 1n });
    expect(await c.countDocuments()).toBe(3);
  });

  it('an int64 _id is found by 1, 1n and 1.0 and is one document, not three', async () => {
    const c = await filled([{ _id: 1n, v: 'a' }]);
    await expect(c.insertOne({ _id: 1, v: 'b' } as never)).rejects.toMatchObject({ code: 11000 });
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1n, v: 'a' });
    expect(await c.findOne({ _id: new Double(1) } as never)).toEqual({ _id: 1n, v: 'a' });
  });
});

describe('int64 where MongoDB reads a count or a direction', () => {
  // Drivers for other languages send limits, batch sizes and directions as longs; MongoDB takes any
  // numeric type there.
  it('limit, skip, batchSize, sort and index directions, projection flags and $limit/$skip/$sort/$project take int64', async () => {
    const c = await filled([{ _id: 1, a: 3 }, { _id: 2, a: 1 }, { _id: 3, a: 2 }]);
    const db = big.db('int64');
    const r = await db.command({ find: c.collectionName, filter: {}, sort: { a: -1n }, skip: 1n, limit: 2n, batchSize: 5n, projection: { a: 1n } });
    expect(r.cursor.firstBatch).toEqual([{ _id: 3, a: 2 }, { _id: 2, a: 1 }]);
    await db.command({ createIndexes: c.collectionName, indexes: [{ key: { a: 1n }, name: 'a_1' }] });
    expect((await c.indexes()).map((i) => i.key)).toContainEqual({ a: 1 });
    const agg = await db.command({
      aggregate: c.collectionName,
      pipeline: [{ $sort: { a: 1n } }, { $skip: 1n }, { $limit: 1n }, { $project: { a: 1n } }],
      cursor: { batchSize: 10n },
    });
    expect(agg.cursor.firstBatch).toEqual([{ _id: 3, a: 2 }]);
  });
});

describe('int64 in updates', () => {
  it('$inc of an int64 by an int32 stays int64 (exactly, beyond 2^53); an int32 that overflows becomes int64', async () => {
    const c = await filled([{ _id: 1, l: BIG, i: 2147483647, d: 1.5 }]);
    await c.updateOne({ _id: 1 }, { $inc: { l: 2, i: 1, d: 1n, fresh: 5n } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, l: BIG + 2n, i: 2147483648n, d: 2.5, fresh: 5n });
    await c.updateOne({ _id: 1 }, { $inc: { l: -1n } });
    expect((await c.findOne({ _id: 1 }))!.l).toBe(BIG + 1n);
  });

  it('$inc that overflows int64 is refused and leaves the document unchanged', async () => {
    const c = await filled([{ _id: 1, l: MAX }]);
    await expect(c.updateOne({ _id: 1 }, { $inc: { l: 1 } })).rejects.toMatchObject({ code: 2 });
    expect((await c.findOne({ _id: 1 }))!.l).toBe(MAX);
  });

  it('$mul, $min and $max compare and multiply int64 by value', async () => {
    const c = await filled([{ _id: 1, m: 3n, lo: 10n, hi: 10n }]);
    await c.updateOne({ _id: 1 }, { $mul: { m: 2 }, $min: { lo: 9 }, $max: { hi: 9 } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, m: 6n, lo: 9, hi: 10n });
    await c.updateOne({ _id: 1 }, { $max: { hi: BIG } });
    expect((await c.findOne({ _id: 1 }))!.hi).toBe(BIG);
  });

  it('$inc on a string field with an int64 is refused with code 14', async () => {
    const c = await filled([{ _id: 1, s: 'x' }]);
    await expect(c.updateOne({ _id: 1 }, { $inc: { s: 1n } })).rejects.toMatchObject({ code: 14 });
  });
});

describe('int64 in aggregation', () => {
  it('$group sums int64 exactly as int64, groups 1 and 1n together and averages as double', async () => {
    const c = await filled([
      { _id: 1, g: 1n, v: BIG },
      { _id: 2, g: 1, v: 1 },
      { _id: 3, g: new Double(2), v: 2n },
      { _id: 4, g: 2n, v: 0.5 },
    ]);
    const out = await c.aggregate([{ $group: { _id: '$g', s: { $sum: '$v' }, a: { $avg: '$v' }, mx: { $max: '$v' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(out).toEqual([
      { _id: 1n, s: BIG + 1n, a: Number(BIG + 1n) / 2, mx: BIG },
      { _id: 2, s: 2.5, a: 1.25, mx: 2n },
    ]);
  });

  it('$add, $subtract and $multiply with an int64 give int64 (exact), a double operand gives double', async () => {
    const c = await filled([{ _id: 1, l: BIG, i: 2, d: 0.5 }]);
    const [r] = await c
      .aggregate([
        { $project: { add: { $add: ['$l', '$i'] }, sub: { $subtract: ['$l', 1n] }, mul: { $multiply: ['$i', 3n] }, dbl: { $add: ['$l', '$d'] } } },
        { $project: { add: 1, sub: 1, mul: 1, dbl: 1, t: { $type: '$mul' } } },
      ])
      .toArray();
    expect(r).toEqual({ _id: 1, add: BIG + 2n, sub: BIG - 1n, mul: 6n, dbl: Number(BIG) + 0.5, t: 'long' });
  });

  it('$expr comparisons and $cmp compare int64 with int32 and double by value', async () => {
    const c = await filled([{ _id: 1, l: 10n, i: 10 }, { _id: 2, l: BIG, i: 3 }, { _id: 3, l: 2n, d: 2.5 }]);
    expect(ids(await c.find({ $expr: { $eq: ['$l', '$i'] } }).toArray())).toEqual([1]);
    expect(ids(await c.find({ $expr: { $lt: ['$l', '$d'] } }).toArray())).toEqual([3]);
    expect(ids(await c.find({ $expr: { $gt: ['$l', 2 ** 53] } }).toArray())).toEqual([2]);
    const cmp = await c.aggregate([{ $project: { c: { $cmp: ['$l', 10] } } }, { $sort: { _id: 1 } }]).toArray();
    expect(cmp.map((r) => r.c)).toEqual([0, 1, -1]);
  });

  it('$sum over int64 in the compiled $group path and $match on int64 after it', async () => {
    const c = await filled([{ _id: 1, k: 'a', v: 2n ** 62n }, { _id: 2, k: 'a', v: 2n ** 62n - 1n }, { _id: 3, k: 'b', v: 1 }]);
    const out = await c.aggregate([{ $match: { v: { $gte: 1n } } }, { $group: { _id: '$k', s: { $sum: '$v' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    // 2^63 - 1 is the largest int64: the sum stays an int64.
    expect(out).toEqual([{ _id: 'a', s: MAX, n: 2 }, { _id: 'b', s: 1, n: 1 }]);
    const over = await c.aggregate([{ $group: { _id: null, s: { $sum: '$v' } } }]).toArray();
    // Beyond int64 the sum is a double (MongoDB's $sum widens; it does not fail).
    expect(over).toEqual([{ _id: null, s: Number(MAX) + 1 }]);
  });
});

describe('mongoose Schema.Types.BigInt', () => {
  let conn: mongoose.Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(mongo.uri + 'int64mongoose').asPromise();
  });
  afterAll(async () => {
    await conn.close();
  });

  it('saves, reads, queries, sorts and increments bigint fields exactly', async () => {
    const Account = conn.model('Account', new mongoose.Schema({ name: String, balance: BigInt, count: Number }));
    await Account.create([
      { name: '甲', balance: BIG, count: 1 },
      { name: '乙', balance: 3n, count: 2 },
      { name: '丙', balance: 2n ** 62n, count: 3 },
    ]);
    // mongoose's lean tutorial: lean() reads a long as a number unless useBigInt64 is set.
    expect((await Account.findOne({ name: '乙' }).lean())!.balance).toBe(3);
    expect((await Account.findOne({ name: '甲' }).setOptions({ useBigInt64: true }).lean())!.balance).toBe(BIG);
    const hydrated = await Account.findOne({ balance: BIG });
    expect(hydrated!.name).toBe('甲');
    expect(typeof hydrated!.balance).toBe('bigint');
    expect((await Account.find({ balance: { $gt: 3n } }).sort({ balance: 1 })).map((a) => a.name)).toEqual(['甲', '丙']);
    await Account.updateOne({ name: '乙' }, { $inc: { balance: 2n ** 53n } });
    expect((await Account.findOne({ name: '乙' }))!.balance).toBe(2n ** 53n + 3n);
    const [total] = await Account.aggregate([{ $group: { _id: null, sum: { $sum: '$balance' } } }]).option({ useBigInt64: true } as never);
    expect(total.sum).toBe(BIG + 2n ** 53n + 3n + 2n ** 62n);
  });

  it('an int32 incremented by an int32 through mongoose stays int32 on the wire', async () => {
    const Counter = conn.model('Counter', new mongoose.Schema({ n: Number }));
    await conn.collection<any>('counters').insertOne({ n: new Int32(7) });
    await Counter.updateOne({}, { $inc: { n: 1 } });
    const raw = await plain.db('int64mongoose').collection<any>('counters').findOne({}, { promoteValues: false });
    expect(raw!.n).toBeInstanceOf(Int32);
  });
});
