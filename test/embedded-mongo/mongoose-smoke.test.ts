import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';

let mongo: TestMongo;
let conn: mongoose.Connection;

const User = new Schema({ email: { type: String, unique: true }, name: String, age: Number }, { timestamps: true });
const Counter = new Schema({ _id: String, seq: Number });

beforeAll(async () => {
  mongo = await startTestMongo();
  conn = await mongoose.createConnection(mongo.uri + 'smoke').asPromise();
});
afterAll(async () => {
  await conn.close();
  await mongo.close();
});

describe('mongoose round trip', () => {
  it('create, find, upsert counter, unique index, count, aggregate', async () => {
    const U = conn.model('User', User);
    await U.init();
    const a = await U.create({ email: 'a@x', name: 'A', age: 30 });
    await U.create({ email: 'b@x', name: 'B', age: 40 });
    const found = await U.findOne({ email: 'a@x' }).lean();
    expect(found?._id.toString()).toBe(a._id.toString());
    expect(found?.createdAt).toBeInstanceOf(Date);
    await expect(U.create({ email: 'a@x' })).rejects.toMatchObject({ code: 11000, keyValue: { email: 'a@x' } });
    const C = conn.model('Counter', Counter);
    const c1 = await C.findOneAndUpdate({ _id: 'ref' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    const c2 = await C.findOneAndUpdate({ _id: 'ref' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    expect([c1?.seq, c2?.seq]).toEqual([1, 2]);
    expect(await U.countDocuments({ age: { $gte: 30 } })).toBe(2);
    expect(await U.estimatedDocumentCount()).toBe(2);
    const agg = await U.aggregate([{ $group: { _id: null, total: { $sum: '$age' } } }]);
    expect(agg).toEqual([{ _id: null, total: 70 }]);
    const upd = await U.updateMany({}, { $set: { name: 'Z' } });
    expect(upd.modifiedCount).toBe(2);
    const del = await U.deleteOne({ email: 'b@x' });
    expect(del.deletedCount).toBe(1);
  });
});
