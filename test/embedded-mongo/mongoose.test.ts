/** Unchanged mongoose code against the embedded engine over TCP. */
import mongoose, { Schema, Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';

let mongo: TestMongo;
let conn: mongoose.Connection;

const UnitSchema = new Schema({ code: { type: String, unique: true, required: true }, name: String });
const SuggestionSchema = new Schema(
  {
    reference: { type: String, unique: true },
    submissionKey: { type: String, unique: true, sparse: true },
    unit: { type: Schema.Types.ObjectId, ref: 'Unit' },
    status: { type: String, default: 'submitted' },
    tags: [String],
    history: [{ at: Date, action: String }],
    assignments: [{ unit: String, answeredAt: Date }],
    rating: Number,
  },
  { timestamps: true },
);

type Sug = mongoose.InferSchemaType<typeof SuggestionSchema>;
type UnitT = mongoose.InferSchemaType<typeof UnitSchema>;
const sug = () => conn.model<Sug>('Suggestion');
const units = () => conn.model<UnitT>('Unit');

beforeAll(async () => {
  mongo = await startTestMongo();
  conn = await mongoose.createConnection(mongo.uri + 'jianyan_test', { autoIndex: true }).asPromise();
});
afterAll(async () => {
  await conn.close();
  await mongo.close();
});

describe('mongoose', () => {
  it('syncIndexes, save with versioning, populate, timestamps on upsert', async () => {
    const Unit = conn.model('Unit', UnitSchema);
    const S = conn.model('Suggestion', SuggestionSchema);
    await Unit.syncIndexes();
    await S.syncIndexes();
    const idx = await S.listIndexes();
    expect(idx.map((i) => i.name).sort()).toEqual(['_id_', 'reference_1', 'submissionKey_1']);
    const u = await Unit.create({ code: 'W', name: 'Water' });
    const s = await S.create({ reference: 'WZ-1', unit: u._id, tags: ['a'] });
    s.tags.push('b');
    s.history.push({ at: new Date(), action: 'assigned' });
    await s.save();
    const again = await S.findById(s._id);
    expect(again!.__v).toBe(1);
    expect(again!.tags).toEqual(['a', 'b']);
    const pop = await S.findById(s._id).populate('unit').lean();
    expect((pop!.unit as unknown as { name: string }).name).toBe('Water');
    const up = await S.findOneAndUpdate({ reference: 'WZ-2' }, { $set: { status: 'assigned' } }, { upsert: true, returnDocument: 'after' }).lean();
    expect(up!.createdAt).toBeInstanceOf(Date);
    expect(up!.status).toBe('assigned');
    expect(up!.reference).toBe('WZ-2');
  });

  it('sparse unique submissionKey: absent keys coexist, repeated keys are refused', async () => {
    const S = sug();
    await S.create({ reference: 'WZ-3' });
    await S.create({ reference: 'WZ-4', submissionKey: 'k1' });
    await expect(S.create({ reference: 'WZ-5', submissionKey: 'k1' })).rejects.toMatchObject({ code: 11000, keyValue: { submissionKey: 'k1' } });
    const err = await S.insertMany([{ reference: 'WZ-6' }, { reference: 'WZ-3' }, { reference: 'WZ-7' }], { ordered: false }).catch((e: unknown) => e);
    expect((err as { insertedDocs: unknown[] }).insertedDocs.length).toBe(2);
    expect(await S.countDocuments({ reference: { $in: ['WZ-6', 'WZ-7'] } })).toBe(2);
  });

  it('positional updates, $pull, $addToSet, distinct, deleteMany', async () => {
    const S = sug();
    const s = await S.create({ reference: 'WZ-10', assignments: [{ unit: 'A' }, { unit: 'B' }], tags: ['x', 'y'] });
    const at = new Date('2024-05-01T00:00:00Z');
    const r = await S.updateOne({ _id: s._id, 'assignments.unit': 'B' }, { $set: { 'assignments.$.answeredAt': at } });
    expect(r.modifiedCount).toBe(1);
    // Two operators on one path conflict in MongoDB too (code 40).
    await expect(S.updateOne({ _id: s._id }, { $pull: { tags: 'x' }, $addToSet: { tags: 'z' } })).rejects.toMatchObject({ code: 40 });
    await S.updateOne({ _id: s._id }, { $pull: { tags: 'x' } });
    await S.updateOne({ _id: s._id }, { $addToSet: { tags: { $each: ['y', 'z'] } } });
    const d = await S.findById(s._id).lean();
    expect(d!.assignments.map((a) => a.answeredAt ?? null)).toEqual([null, at]);
    expect(d!.tags).toEqual(['y', 'z']);
    const m = await S.find({ assignments: { $elemMatch: { unit: 'B', answeredAt: { $exists: true } } } }).countDocuments();
    expect(m).toBe(1);
    expect((await S.distinct('status')).sort()).toEqual(['assigned', 'submitted']);
  });

  it('cursors over many documents, broken off early', async () => {
    const S = sug();
    await S.insertMany(Array.from({ length: 600 }, (_, i) => ({ reference: `BULK-${i}`, rating: i % 5 })));
    let seen = 0;
    for await (const _doc of S.find({ reference: /^BULK-/ }).batchSize(50).cursor()) {
      seen++;
      if (seen === 120) break;
    }
    expect(seen).toBe(120);
    const all = await S.find({ reference: /^BULK-/ }).sort({ rating: -1, reference: 1 }).skip(10).limit(300).lean();
    expect(all.length).toBe(300);
    expect(all[0]!.rating).toBe(4);
    const agg = await S.aggregate<{ _id: number; n: number }>([
      { $match: { reference: /^BULK-/ } },
      { $group: { _id: '$rating', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(agg).toEqual([0, 1, 2, 3, 4].map((r) => ({ _id: r, n: 120 })));
    const del = await S.deleteMany({ reference: /^BULK-/ });
    expect(del.deletedCount).toBe(600);
  });

  it('withTransaction fails the way it does on a standalone mongod', async () => {
    const S = sug();
    const session = await conn.startSession();
    await expect(session.withTransaction(async () => {
      await S.create([{ reference: 'TX-1' }], { session });
    })).rejects.toThrow(/retryable writes|replica set/);
    await session.endSession();
  });

  it('ObjectId queries, lean round trip, dropCollection', async () => {
    const Unit = units();
    const id = new Types.ObjectId();
    await Unit.create({ _id: id, code: 'R', name: 'Roads' });
    expect((await Unit.findOne({ _id: id.toHexString() }).lean())!.code).toBe('R');
    expect(await Unit.exists({ code: 'R' })).toBeTruthy();
    expect(await conn.dropCollection('units')).toBe(true);
    expect(await Unit.countDocuments()).toBe(0);
  });
});
