/**
 * Conformance in the areas where the engine used to answer differently from MongoDB (issue 19), each
 * written from MongoDB's documented examples and run through the official driver; the mongoose cases
 * are at the end. What stays unsupported must fail loudly with a MongoDB error, never answer wrongly.
 */
import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDriverOnEngine } from '../helpers/embedded-mongo.js';

const { Binary, Long, Double } = mongoose.mongo;
const engine = useDriverOnEngine('conf19');
const filled = engine.filled;
const ids = (docs: { _id: unknown }[]) => docs.map((d) => d._id);

describe('$all', () => {
  it('matches arrays holding every listed string or value, in any order', async () => {
    const c = await filled([
      { _id: 1, tags: ['appliance', 'school', 'book'] },
      { _id: 2, tags: ['school', 'book'] },
      { _id: 3, tags: ['appliance', 'school', 'book', 'appliance'] },
      { _id: 4, tags: 'school' },
      { _id: 5, nums: [1, 2, 3] },
      { _id: 6, nums: [[1, 2], 3] },
    ]);
    expect(ids(await c.find({ tags: { $all: ['appliance', 'school', 'book'] } }).sort({ _id: 1 }).toArray())).toEqual([1, 3]);
    expect(ids(await c.find({ tags: { $all: ['school'] } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 4]);
    expect(ids(await c.find({ nums: { $all: [3, 1] } }).toArray())).toEqual([5]);
    expect(ids(await c.find({ nums: { $all: [[1, 2]] } }).toArray())).toEqual([6]);
    expect(await c.countDocuments({ tags: { $all: [] } })).toBe(0);
  });
  it('combines with $elemMatch', async () => {
    const c = await filled([
      { _id: 1, qty: [{ size: 'S', num: 10, color: 'blue' }, { size: 'M', num: 45, color: 'blue' }, { size: 'L', num: 100, color: 'green' }] },
      { _id: 2, qty: [{ size: 'S', num: 10, color: 'blue' }] },
      { _id: 3, qty: [{ size: 'M', num: 100, color: 'green' }] },
    ]);
    const r = await c.find({ qty: { $all: [{ $elemMatch: { size: 'M', num: { $gt: 50 } } }, { $elemMatch: { num: 100, color: 'green' } }] } }).toArray();
    expect(ids(r)).toEqual([3]);
  });
});

describe('$elemMatch', () => {
  it('on arrays of values with operator conditions', async () => {
    const c = await filled([{ _id: 1, results: [82, 85, 88] }, { _id: 2, results: [75, 88, 89] }, { _id: 3, results: ['a', 'b'] }]);
    expect(ids(await c.find({ results: { $elemMatch: { $gte: 80, $lt: 85 } } }).toArray())).toEqual([1]);
    expect(ids(await c.find({ results: { $elemMatch: { $in: [75, 'b'] } } }).sort({ _id: 1 }).toArray())).toEqual([2, 3]);
    expect(ids(await c.find({ results: { $elemMatch: { $nin: [82, 85, 88] } } }).sort({ _id: 1 }).toArray())).toEqual([2, 3]);
  });
  it('on arrays of documents with operator conditions inside fields', async () => {
    const c = await filled([
      { _id: 1, results: [{ product: 'abc', score: 10 }, { product: 'xyz', score: 5 }] },
      { _id: 2, results: [{ product: 'abc', score: 8 }, { product: 'xyz', score: 7 }] },
      { _id: 3, results: [{ product: 'abc', score: 7 }, { product: 'xyz', score: 8 }] },
    ]);
    expect(ids(await c.find({ results: { $elemMatch: { product: { $in: ['xyz', 'q'] }, score: { $gte: 8 } } } }).toArray())).toEqual([3]);
    expect(ids(await c.find({ results: { $elemMatch: { product: 'xyz' } } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
  });
  it('in projections returns only the first matching element', async () => {
    const c = await filled([
      { _id: 1, zipcode: '63109', students: [{ name: 'john', school: 102, age: 10 }, { name: 'jess', school: 102, age: 11 }, { name: 'jeff', school: 108, age: 15 }] },
      { _id: 2, zipcode: '63110', students: [{ name: 'ajax', school: 100, age: 7 }, { name: 'achilles', school: 100, age: 8 }] },
      { _id: 3, zipcode: '63109', students: [{ name: 'ajax', school: 100, age: 7 }, { name: 'achilles', school: 100, age: 8 }] },
    ]);
    const r = await c.find({ zipcode: '63109' }, { projection: { students: { $elemMatch: { school: 102 } } } }).sort({ _id: 1 }).toArray();
    expect(r).toEqual([{ _id: 1, students: [{ name: 'john', school: 102, age: 10 }] }, { _id: 3 }]);
    const r2 = await c.find({ zipcode: '63109' }, { projection: { zipcode: 1, students: { $elemMatch: { school: 102, age: { $gt: 10 } } } } }).sort({ _id: 1 }).toArray();
    expect(r2).toEqual([{ _id: 1, zipcode: '63109', students: [{ name: 'jess', school: 102, age: 11 }] }, { _id: 3, zipcode: '63109' }]);
    const scores = await filled([{ _id: 1, results: [82, 85, 88] }, { _id: 2, results: [75, 88, 89] }, { _id: 3, results: 'none' }]);
    const r3 = await scores.find({}, { projection: { results: { $elemMatch: { $gte: 85, $lt: 89 } } } }).sort({ _id: 1 }).toArray();
    expect(r3).toEqual([{ _id: 1, results: [85] }, { _id: 2, results: [88] }, { _id: 3 }]);
    const r4 = await scores.find({ _id: 2 } as never, { projection: { results: { $elemMatch: { $in: [75, 89] } } } }).toArray();
    expect(r4).toEqual([{ _id: 2, results: [75] }]);
  });
});

describe('$pull', () => {
  it('removes subdocuments without _id matching a condition, including $or', async () => {
    const c = await filled([
      { _id: 1, results: [{ item: 'A', score: 5 }, { item: 'B', score: 8 }] },
      { _id: 2, results: [{ item: 'C', score: 8 }, { item: 'B', score: 4 }] },
    ]);
    await c.updateMany({}, { $pull: { results: { score: 8, item: 'B' } } } as never);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, results: [{ item: 'A', score: 5 }] },
      { _id: 2, results: [{ item: 'C', score: 8 }, { item: 'B', score: 4 }] },
    ]);
    await c.updateMany({}, { $pull: { results: { $or: [{ item: 'A' }, { score: { $lt: 5 } }] } } } as never);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, results: [] }, { _id: 2, results: [{ item: 'C', score: 8 }] }]);
  });
  it('removes values by condition and nested $elemMatch', async () => {
    const c = await filled([{ _id: 1, votes: [3, 5, 6, 7, 7, 8] }, { _id: 2, survey: [{ choice: 'a', results: [{ x: 1 }, { x: 7 }] }, { choice: 'b', results: [{ x: 2 }] }] }]);
    await c.updateOne({ _id: 1 } as never, { $pull: { votes: { $gte: 6 } } } as never);
    await c.updateOne({ _id: 2 } as never, { $pull: { survey: { results: { $elemMatch: { x: { $gt: 5 } } } } } } as never);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, votes: [3, 5] }, { _id: 2, survey: [{ choice: 'b', results: [{ x: 2 }] }] }]);
  });
});

describe('updates', () => {
  it('$set of _id to its current value is allowed; to another value is 66', async () => {
    const c = await filled([{ _id: 1, a: 1 }]);
    const r = await c.updateOne({ _id: 1 } as never, { $set: { _id: 1, a: 2 } } as never);
    expect(r.modifiedCount).toBe(1);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 2 });
    await expect(c.updateOne({ _id: 1 } as never, { $set: { _id: 2 } } as never)).rejects.toMatchObject({ code: 66 });
    const rr = await c.replaceOne({ _id: 1 } as never, { _id: 1, b: 1 } as never);
    expect(rr.modifiedCount).toBe(1);
  });
  it('an upsert may set _id through $set or $setOnInsert; not to another value than the query pins', async () => {
    const c = await filled([]);
    await c.updateOne({ _id: 9 } as never, { $set: { _id: 9, q: 1 } } as never, { upsert: true });
    await c.updateOne({ w: 1 }, { $setOnInsert: { _id: 'soi' } } as never, { upsert: true });
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 9, q: 1 }, { _id: 'soi', w: 1 }]);
    await expect(c.updateOne({ _id: 10 } as never, { $set: { _id: 11 } } as never, { upsert: true })).rejects.toMatchObject({ code: 66 });
    const multi = await engine.db().command({ update: c.collectionName, updates: [{ q: {}, u: { z: 1 }, multi: true }] });
    expect(multi.writeErrors[0]).toMatchObject({ code: 9 });
  });
  it('replacement-style updates through the update command and bulkWrite', async () => {
    const c = await filled([{ _id: 1, a: 1, keep: false }, { _id: 2, a: 2 }]);
    const r = await engine.db().command({ update: c.collectionName, updates: [{ q: { _id: 1 }, u: { b: 1 } }] });
    expect(r).toMatchObject({ n: 1, nModified: 1 });
    const b = await c.bulkWrite([{ replaceOne: { filter: { _id: 2 }, replacement: { c: 3 } } }, { replaceOne: { filter: { _id: 3 }, replacement: { d: 4 }, upsert: true } }] as never[]);
    expect(b.modifiedCount).toBe(1);
    expect(b.upsertedCount).toBe(1);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, b: 1 }, { _id: 2, c: 3 }, { _id: 3, d: 4 }]);
  });
  it('upserts whose filter pins no field insert only the update', async () => {
    const c = await filled([]);
    await c.updateOne({}, { $set: { a: 1 } }, { upsert: true });
    await c.updateOne({ x: { $gt: 5 } }, { $set: { b: 1 } }, { upsert: true });
    await c.updateOne({ $or: [{ y: 1 }, { y: 2 }] }, { $set: { c: 1 } }, { upsert: true });
    const docs = await c.find({}, { projection: { _id: 0 } }).toArray();
    expect(docs).toEqual([{ a: 1 }, { b: 1 }, { c: 1 }]);
  });
  it('accepts $-prefixed field names as MongoDB 5+ does: in inserts and upserts, and as sub-fields in $set; not top-level in $set', async () => {
    const c = await filled([]);
    await c.insertOne({ _id: 1, $price: 50, location: { $db: 'novels', $ref: '2007042768', $inc: true } } as never);
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, $price: 50, location: { $db: 'novels', $ref: '2007042768', $inc: true } });
    await c.insertOne({ _id: 'E123', address: { $number: 123, $street: 'Elm Road' }, $rooms: { br: 2, bath: 1 } } as never);
    await c.updateOne({ _id: 'E123' } as never, { $set: { 'address.$street': 'Elm Ave' } } as never);
    await c.updateOne({ _id: 'E123' } as never, { $inc: { 'address.$number': 1 } } as never);
    expect(await c.findOne({ _id: 'E123' } as never)).toEqual({ _id: 'E123', address: { $number: 124, $street: 'Elm Ave' }, $rooms: { br: 2, bath: 1 } });
    await c.updateOne({ date: '2021-07-07' }, { $set: { phone: 25.17, 'extra.$hotel': 320.1 } }, { upsert: true });
    expect(await c.findOne({ date: '2021-07-07' }, { projection: { _id: 0 } })).toEqual({ date: '2021-07-07', phone: 25.17, extra: { $hotel: 320.1 } });
    await expect(c.updateOne({ _id: 'E123' } as never, { $set: { $rooms: 1 } } as never)).rejects.toBeTruthy();
    await expect(c.replaceOne({ _id: 'E123' } as never, { $rooms: 1 } as never)).rejects.toBeTruthy();
  });

});

describe('$slice projections', () => {
  it('alone keeps every other field; with inclusions returns only those', async () => {
    const c = await filled([{ _id: 1, title: 't', comments: [1, 2, 3, 4, 5], other: 'x' }]);
    expect(await c.findOne({}, { projection: { comments: { $slice: 2 } } })).toEqual({ _id: 1, title: 't', comments: [1, 2], other: 'x' });
    expect(await c.findOne({}, { projection: { comments: { $slice: -2 }, title: 1 } })).toEqual({ _id: 1, title: 't', comments: [4, 5] });
    expect(await c.findOne({}, { projection: { comments: { $slice: [1, 2] }, other: 0 } })).toEqual({ _id: 1, title: 't', comments: [2, 3] });
    expect(await c.findOne({}, { projection: { comments: { $slice: [-4, 2] }, _id: 0, title: 1 } })).toEqual({ title: 't', comments: [2, 3] });
  });
});

describe('binary, bits, 64-bit integers and $type', () => {
  it('keeps the Binary subtype (user-defined 0x80) and matches $bitsAllSet/$bitsAnySet on binary', async () => {
    const c = await filled([
      { _id: 1, b: new Binary(Buffer.from([0x23]), 0x80) },
      { _id: 2, b: new Binary(Buffer.from([0x20, 0x01])) },
      { _id: 3, b: 35 },
      { _id: 4, b: 3 },
    ]);
    const one = await c.findOne({ _id: 1 } as never);
    expect((one!.b as InstanceType<typeof Binary>).sub_type).toBe(0x80);
    await c.updateOne({ _id: 4 } as never, { $set: { c: new Binary(Buffer.from([1, 2]), 0x80) }, $push: { d: new Binary(Buffer.from([3]), 0x81) } } as never);
    const four = await c.findOne({ _id: 4 } as never);
    expect((four!.c as InstanceType<typeof Binary>).sub_type).toBe(0x80);
    expect((four!.d as InstanceType<typeof Binary>[])[0]!.sub_type).toBe(0x81);
    const agg = await c.aggregate([{ $match: { _id: 1 } }, { $project: { b: 1, copy: '$b' } }]).toArray();
    expect((agg[0]!.copy as InstanceType<typeof Binary>).sub_type).toBe(0x80);
    expect(await c.countDocuments({ b: new Binary(Buffer.from([0x23]), 0x80) })).toBe(1);
    expect(await c.countDocuments({ b: new Binary(Buffer.from([0x23]), 0) })).toBe(0);
    expect(ids(await c.find({ b: { $bitsAllSet: 35 } }).sort({ _id: 1 }).toArray())).toEqual([1, 3]);
    expect(ids(await c.find({ b: { $bitsAllSet: new Binary(Buffer.from([0x20])) } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3]);
    expect(ids(await c.find({ b: { $bitsAnySet: [8] } }).sort({ _id: 1 }).toArray())).toEqual([2]);
    expect(ids(await c.find({ b: { $bitsAllClear: [5] } }).sort({ _id: 1 }).toArray())).toEqual([4]);
  });
  it("$type 'number' matches every numeric type; 'double', 'int' and 'long' each their own (1.0 is a double)", async () => {
    const c = await filled([{ _id: 1, x: new Double(1) }, { _id: 2, x: 1.5 }, { _id: 3, x: 1 }, { _id: 4, x: Long.fromNumber(1) }, { _id: 5, x: '1' }]);
    expect(ids(await c.find({ x: { $type: 'number' } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 3, 4]);
    expect(ids(await c.find({ x: { $type: 'long' } }).sort({ _id: 1 }).toArray())).toEqual([4]);
    expect(ids(await c.find({ x: { $type: 'double' } }).sort({ _id: 1 }).toArray())).toEqual([1, 2]);
    expect(ids(await c.find({ x: { $type: 16 } }).sort({ _id: 1 }).toArray())).toEqual([3]);
    expect(ids(await c.find({ x: { $type: ['string', 'double'] } }).sort({ _id: 1 }).toArray())).toEqual([1, 2, 5]);
  });

});

describe('aggregate options and literal keys', () => {
  it('accepts hint on aggregate (by name and by key pattern)', async () => {
    const c = await filled([{ _id: 1, a: 1 }, { _id: 2, a: 2 }]);
    await c.createIndex({ a: 1 });
    expect(await c.aggregate([{ $match: { a: 2 } }], { hint: 'a_1' }).toArray()).toEqual([{ _id: 2, a: 2 }]);
    expect(await c.aggregate([{ $match: { a: 2 } }], { hint: { a: 1 } }).toArray()).toEqual([{ _id: 2, a: 2 }]);
    await expect(c.aggregate([{ $match: { a: 2 } }], { hint: 'nope_1' }).toArray()).rejects.toMatchObject({ code: 2 });
  });
  it('matches a key named __proto__ literally', async () => {
    const c = await filled([]);
    await c.insertOne(JSON.parse('{"_id": 1, "__proto__": {"x": 1}}'));
    await c.insertOne({ _id: 2, x: 1 } as never);
    const found = await c.find(JSON.parse('{"__proto__.x": 1}')).toArray();
    expect(ids(found)).toEqual([1]);
    const found2 = await c.find(JSON.parse('{"__proto__": {"x": 1}}')).toArray();
    expect(ids(found2)).toEqual([1]);
  });
});

describe('through mongoose', () => {
  let conn: mongoose.Connection;
  beforeAll(async () => {
    conn = await mongoose.createConnection(engine.uri() + 'conf19_mongoose').asPromise();
  });
  afterAll(async () => {
    await conn.close();
  });

  it('$all, $elemMatch with operators, and $elemMatch/$slice projections', async () => {
    const Post = conn.model('Post', new Schema({ title: String, tags: [String], comments: [{ by: String, stars: Number }] }));
    await Post.create([
      { title: 'a', tags: ['x', 'y'], comments: [{ by: 'p', stars: 2 }, { by: 'q', stars: 5 }] },
      { title: 'b', tags: ['y'], comments: [{ by: 'p', stars: 4 }] },
    ]);
    expect((await Post.find({ tags: { $all: ['y', 'x'] } }).lean()).map((p) => p.title)).toEqual(['a']);
    expect((await Post.find({ comments: { $elemMatch: { by: { $in: ['p'] }, stars: { $gte: 3 } } } }).lean()).map((p) => p.title)).toEqual(['b']);
    const sliced = await Post.findOne({ title: 'a' }).select('title').slice('comments', 1).lean();
    expect(sliced!.comments.map((c) => c.by)).toEqual(['p']);
    expect(sliced!.tags).toBeUndefined();
    const em = await Post.findOne({ title: 'a' }, { comments: { $elemMatch: { stars: { $gt: 3 } } } }).lean();
    expect(em!.comments.map((c) => c.by)).toEqual(['q']);
  });

  it('populate with a $slice select returns the sliced arrays of the referenced documents', async () => {
    const Author = conn.model('Author', new Schema({ name: String, books: [String], born: Number }));
    const Review = conn.model('Review', new Schema({ text: String, author: { type: Schema.Types.ObjectId, ref: 'Author' } }));
    const a = await Author.create({ name: 'Lu Xun', books: ['呐喊', '彷徨', '朝花夕拾'], born: 1881 });
    await Review.create({ text: 'good', author: a._id });
    const onlySlice = await Review.findOne().populate({ path: 'author', select: { books: { $slice: -1 } } }).lean();
    expect(onlySlice!.author).toMatchObject({ name: 'Lu Xun', books: ['朝花夕拾'], born: 1881 });
    const withInclusion = await Review.findOne().populate({ path: 'author', select: { name: 1, books: { $slice: [1, 1] } } }).lean();
    expect(withInclusion!.author).toEqual({ _id: a._id, name: 'Lu Xun', books: ['彷徨'] });
  });

  it('$pull of subdocuments by condition and replaceOne keep the documents MongoDB would', async () => {
    const Doc = conn.model('Doc', new Schema({ items: [new Schema({ k: String, n: Number }, { _id: false })], v: Number }));
    const d = await Doc.create({ items: [{ k: 'a', n: 1 }, { k: 'b', n: 2 }, { k: 'c', n: 3 }], v: 1 });
    await Doc.updateOne({ _id: d._id }, { $pull: { items: { $or: [{ k: 'a' }, { n: { $gte: 3 } }] } } });
    expect((await Doc.findById(d._id).lean())!.items).toEqual([{ k: 'b', n: 2 }]);
    await Doc.replaceOne({ _id: d._id }, { v: 9 });
    const after = await Doc.findById(d._id).lean();
    expect(after!.v).toBe(9);
    expect(after!.items).toEqual([]);
  });

  it('aggregate over a discriminator with $project', async () => {
    const Event = conn.model('Event', new Schema({ at: Date, by: String }, { discriminatorKey: 'kind' }));
    const Click = Event.discriminator('Click', new Schema({ url: String }));
    await Event.create({ at: new Date(), by: 'x' });
    await Click.create({ at: new Date(), by: 'y', url: '/a' });
    const out = await Click.aggregate([{ $project: { _id: 0, by: 1, url: 1, kind: 1 } }]);
    expect(out).toEqual([{ by: 'y', url: '/a', kind: 'Click' }]);
  });

  it('refuses what stays unsupported with MongoDB errors', async () => {
    const M = conn.model('Geo', new Schema({ name: String }));
    await M.create({ name: 'x' });
    await expect(M.find({ $where: 'this.name' }).lean()).rejects.toMatchObject({ code: 115 });
    await expect(M.find({}).collation({ locale: 'zh' }).lean()).rejects.toMatchObject({ code: 115 });
    await expect(M.find({ name: 'x' }).explain()).rejects.toBeTruthy();
  });
});
