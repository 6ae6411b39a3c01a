/**
 * Aggregation stages the engine compiles to JavaScript ($match, $project, $group, $sort, $skip, $limit
 * and the expressions reports use), checked through the driver against MongoDB's documented results,
 * and the office's statistics pipeline checked against the same figures computed in plain JavaScript.
 */
import { describe, expect, it } from 'vitest';
import { foldStatistics, statisticsPipeline } from '../../src/admin/statistics.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/embedded-mongo/index.js';
import { useDriverOnEngine } from '../helpers/embedded-mongo.js';
import { makeSuggestions, OPTIONS, statisticsInPlainJs } from '../../bench/statistics.bench.js';

const engine = useDriverOnEngine('compiled');

async function agg(docs: object[], pipeline: object[]) {
  return (await engine.filled(docs)).aggregate(pipeline).toArray();
}

describe('compiled aggregation, as MongoDB documents it', () => {
  it('$group with $sum, $avg, $min, $max, $first, $last, $push and $count', async () => {
    const docs = [
      { _id: 1, item: 'abc', price: 10, quantity: 2, date: new Date('2014-01-01T08:00:00Z') },
      { _id: 2, item: 'jkl', price: 20, quantity: 1, date: new Date('2014-02-03T09:00:00Z') },
      { _id: 3, item: 'xyz', price: 5, quantity: 5, date: new Date('2014-02-03T09:05:00Z') },
      { _id: 4, item: 'abc', price: 10, quantity: 10, date: new Date('2014-02-15T08:00:00Z') },
      { _id: 5, item: 'xyz', price: 5, quantity: 'ten', date: new Date('2014-02-15T09:05:00Z') },
    ];
    const out = await agg(docs, [
      { $sort: { _id: 1 } },
      {
        $group: {
          _id: '$item',
          total: { $sum: '$quantity' },
          avgQty: { $avg: '$quantity' },
          minDate: { $min: '$date' },
          maxPrice: { $max: '$price' },
          first: { $first: '$_id' },
          last: { $last: '$_id' },
          ids: { $push: '$_id' },
          n: { $count: {} },
          nope: { $max: '$missing' },
        },
      },
      { $sort: { _id: 1 } },
    ]);
    expect(out).toEqual([
      { _id: 'abc', total: 12, avgQty: 6, minDate: new Date('2014-01-01T08:00:00Z'), maxPrice: 10, first: 1, last: 4, ids: [1, 4], n: 2, nope: null },
      { _id: 'jkl', total: 1, avgQty: 1, minDate: new Date('2014-02-03T09:00:00Z'), maxPrice: 20, first: 2, last: 2, ids: [2], n: 1, nope: null },
      { _id: 'xyz', total: 5, avgQty: 5, minDate: new Date('2014-02-03T09:05:00Z'), maxPrice: 5, first: 3, last: 5, ids: [3, 5], n: 2, nope: null },
    ]);
  });

  it('groups a missing _id with null, and keeps a missing sub-field of an object _id out of the key', async () => {
    const out = await agg([{ a: 1 }, { a: null }, { b: 1 }, { a: 1, b: 2 }], [
      { $group: { _id: { a: '$a' }, n: { $sum: 1 } } },
      { $sort: { n: -1 } },
    ]);
    expect(out).toEqual([{ _id: { a: 1 }, n: 2 }, { _id: { a: null }, n: 1 }, { _id: {}, n: 1 }]);
    const scalar = await agg([{ a: 1 }, { a: null }, { b: 1 }], [{ $group: { _id: '$a', n: { $sum: 1 } } }, { $sort: { n: -1 } }]);
    expect(scalar).toEqual([{ _id: null, n: 2 }, { _id: 1, n: 1 }]);
  });

  it('$project keeps included fields in document order, adds computed ones, and leaves out missing results', async () => {
    const out = await agg([{ _id: 1, b: 2, a: 1, c: { d: [{ e: 1 }, { f: 2 }, 3, { e: [4] }] } }], [
      { $project: { a: 1, b: 1, es: '$c.d.e', none: '$nothing', lit: { $literal: '$a' }, obj: { x: '$a', y: '$nothing' } } },
    ]);
    expect(out).toEqual([{ _id: 1, b: 2, a: 1, es: [1, [4]], lit: '$a', obj: { x: 1 } }]);
    expect(Object.keys(out[0]!)).toEqual(['_id', 'b', 'a', 'es', 'lit', 'obj']);
  });

  it('comparison expressions order missing below null (so $eq of missing and null is false)', async () => {
    const out = await agg([{ _id: 1, n: null }, { _id: 2 }], [
      { $sort: { _id: 1 } },
      { $project: { eqNull: { $eq: ['$n', null] }, ltNull: { $lt: ['$n', null] }, ifNull: { $ifNull: ['$n', 'dflt'] }, gt0: { $gt: ['$n', 0] } } },
    ]);
    expect(out).toEqual([
      { _id: 1, eqNull: true, ltNull: false, ifNull: 'dflt', gt0: false },
      { _id: 2, eqNull: false, ltNull: true, ifNull: 'dflt', gt0: false },
    ]);
  });

  it('tests for null or missing through $ifNull the way MongoDB does', async () => {
    const out = await agg([{ _id: 1, x: null }, { _id: 2 }, { _id: 3, x: 0 }, { _id: 4, x: false }, { _id: 5, x: '' }, { _id: 6, x: [] }], [
      { $sort: { _id: 1 } },
      { $project: { _id: 0, present: { $ne: [{ $ifNull: ['$x', null] }, null] }, absent: { $eq: [{ $ifNull: ['$x', null] }, null] } } },
    ]);
    expect(out).toEqual([
      { present: false, absent: true },
      { present: false, absent: true },
      { present: true, absent: false },
      { present: true, absent: false },
      { present: true, absent: false },
      { present: true, absent: false },
    ]);
  });

  it('$filter, $map, $size, $setUnion, $in, $let, $cond, $switch and $dateToString with an offset', async () => {
    const out = await agg([{ _id: 1, items: [{ q: 5, u: 'b' }, { q: 1, u: 'a' }, { q: 9, u: 'b' }], at: new Date('2021-06-30T17:30:00Z') }], [
      {
        $project: {
          _id: 0,
          big: { $filter: { input: '$items', as: 'i', cond: { $gte: ['$$i.q', 5] } } },
          nBig: { $size: { $filter: { input: '$items', cond: { $gte: ['$$this.q', 5] } } } },
          qs: { $map: { input: '$items', as: 'i', in: '$$i.q' } },
          missingInMap: { $map: { input: '$items', in: '$$this.zz' } },
          units: { $setUnion: [{ $map: { input: '$items', as: 'i', in: '$$i.u' } }] },
          mixed: { $setUnion: [[3, 'a', 1], [1, null]] },
          hasA: { $in: ['a', '$items.u'] },
          let: { $let: { vars: { x: 2, y: { $size: '$items' } }, in: { $let: { vars: { x: '$$y' }, in: ['$$x', '$$y'] } } } },
          cond: { $cond: { if: { $size: [[]] }, then: 'yes', else: 'no' } },
          sw: { $switch: { branches: [{ case: { $eq: [1, 2] }, then: 'a' }, { case: { $lt: [1, 2] }, then: 'b' }], default: 'c' } },
          local: { $dateToString: { format: '%Y-%m-%d %H:%M:%S.%L %%', date: '$at', timezone: '+08:00' } },
          utc: { $dateToString: { format: '%Y-%m', date: '$at' } },
          nullDate: { $dateToString: { format: '%Y', date: '$nothing' } },
          nullInput: { $filter: { input: '$nothing', cond: true } },
        },
      },
    ]);
    expect(out).toEqual([
      {
        big: [{ q: 5, u: 'b' }, { q: 9, u: 'b' }],
        nBig: 2,
        qs: [5, 1, 9],
        missingInMap: [null, null, null],
        units: ['a', 'b'],
        mixed: [null, 1, 3, 'a'],
        hasA: true,
        let: [3, 3],
        cond: 'no',
        sw: 'b',
        local: '2021-07-01 01:30:00.000 %',
        utc: '2021-06',
        nullDate: null,
        nullInput: null,
      },
    ]);
  });

  it('compares booleans, null and dates in type order, de-duplicates $setUnion, and formats local days across midnight', async () => {
    const out = await agg(
      [
        { _id: 1, b: true, at: new Date('2021-06-30T15:59:59.999Z'), tags: ['b', 'a', 'b', 'c', 'a'] },
        { _id: 2, b: false, at: new Date('2021-06-30T16:00:00Z'), tags: ['z'] },
        { _id: 3, b: null, at: new Date('1969-12-31T15:30:00Z'), tags: [] },
      ],
      [
        { $sort: { _id: 1 } },
        {
          $project: {
            bGtFalse: { $gt: ['$b', false] },
            bLtTrue: { $lt: ['$b', true] },
            bGtNull: { $gt: ['$b', null] },
            nullLtNumber: { $lt: [null, 0] },
            bGtMissing: { $gt: ['$b', '$missing'] },
            dateGtString: { $gt: ['$at', 'z'] },
            tags: { $setUnion: ['$tags'] },
            day: { $dateToString: { format: '%Y-%m-%d', date: '$at', timezone: '+08:00' } },
            dayWest: { $dateToString: { format: '%Y-%m-%d', date: '$at', timezone: '-09:00' } },
          },
        },
      ],
    );
    expect(out).toEqual([
      { _id: 1, bGtFalse: true, bLtTrue: false, bGtNull: true, nullLtNumber: true, bGtMissing: true, dateGtString: true, tags: ['a', 'b', 'c'], day: '2021-06-30', dayWest: '2021-06-30' },
      { _id: 2, bGtFalse: false, bLtTrue: true, bGtNull: true, nullLtNumber: true, bGtMissing: true, dateGtString: true, tags: ['z'], day: '2021-07-01', dayWest: '2021-06-30' },
      { _id: 3, bGtFalse: false, bLtTrue: true, bGtNull: false, nullLtNumber: true, bGtMissing: true, dateGtString: true, tags: [], day: '1969-12-31', dayWest: '1969-12-31' },
    ]);
  });

  it('answers with MongoDB error codes for wrong argument types', async () => {
    await expect(agg([{ a: 1 }], [{ $project: { s: { $size: '$a' } } }])).rejects.toMatchObject({ code: 17124 });
    await expect(agg([{ a: 1 }], [{ $project: { s: { $filter: { input: '$a', cond: true } } } }])).rejects.toMatchObject({ code: 28651 });
    await expect(agg([{ a: 1 }], [{ $project: { s: { $in: [1, '$a'] } } }])).rejects.toMatchObject({ code: 40081 });
    await expect(agg([{ a: 1 }], [{ $project: { s: { $switch: { branches: [{ case: false, then: 1 }] } } } }])).rejects.toMatchObject({ code: 40066 });
    await expect(agg([{ a: 1 }], [{ $project: { s: { $dateToString: { format: '%Y', date: '$a' } } } }])).rejects.toMatchObject({ code: 16006 });
  });

  it('a $group after a $project sees only the projected fields, and keys arrays, missing, null and other values apart', async () => {
    const docs = [
      { _id: 1, a: 'x', hidden: 'h', sub: [{ u: 'p' }, { u: 'q' }], tags: ['a,sb'] },
      { _id: 2, a: 'x', hidden: 'h', sub: { u: 'p' }, tags: ['a', 'b'] },
      { _id: 3, a: null, sub: [{ u: 'p' }, 7, { u: 'q' }], tags: ['a,sb'] },
      { _id: 4, sub: [], tags: [1, 'a'] },
      { _id: 5, a: new Date('2021-01-01T00:00:00Z'), tags: [1, 'a'] },
      { _id: 6, a: 'x', hidden: 'other', sub: { u: 'p' }, tags: ['a', 'b'] },
    ];
    const out = await agg(docs, [
      { $project: { _id: 0, a: 1, sub: 1, tagSet: '$tags', fromHidden: '$hidden' } },
      {
        $group: {
          _id: { a: '$a', tags: '$tagSet', gone: '$_id' },
          n: { $sum: 1 },
          units: { $push: '$sub.u' },
          hidden: { $max: '$hidden' },
          fromHidden: { $max: '$fromHidden' },
        },
      },
    ]);
    expect(out).toHaveLength(5);
    expect(out).toEqual(expect.arrayContaining([
      { _id: { a: 'x', tags: ['a', 'b'] }, n: 2, units: ['p', 'p'], hidden: null, fromHidden: 'other' },
      { _id: { a: 'x', tags: ['a,sb'] }, n: 1, units: [['p', 'q']], hidden: null, fromHidden: 'h' },
      { _id: { a: null, tags: ['a,sb'] }, n: 1, units: [['p', 'q']], hidden: null, fromHidden: null },
      { _id: { tags: [1, 'a'] }, n: 1, units: [[]], hidden: null, fromHidden: null },
      { _id: { a: new Date('2021-01-01T00:00:00Z'), tags: [1, 'a'] }, n: 1, units: [], hidden: null, fromHidden: null },
    ]));
  });

  it('stages after one it does not compile still run (in mingo)', async () => {
    const out = await agg([{ _id: 1, t: ['x', 'y'] }, { _id: 2, t: ['y'] }], [
      { $match: { _id: { $gte: 1 } } },
      { $project: { t: 1 } },
      { $unwind: '$t' },
      { $group: { _id: '$t', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
      { $skip: 1 },
      { $limit: 5 },
    ]);
    expect(out).toEqual([{ _id: 'y', n: 2 }]);
  });
});

describe('the office statistics pipeline', () => {
  it('gives the same figures as the same aggregation computed in plain JavaScript', async () => {
    const c = engine.db().collection('suggestions');
    await c.insertMany(makeSuggestions(3_000, 7));
    const stored = await c.find({}).toArray();
    const groups = await c.aggregate(statisticsPipeline({}, OPTIONS) as never[]).toArray();
    const expected = statisticsInPlainJs(stored, OPTIONS);
    expect(groups.length).toBe(expected.length);
    expect(foldStatistics(groups as never, OPTIONS)).toEqual(foldStatistics(expected, OPTIONS));
    const unit = { ...OPTIONS, unit: 'jw' };
    const forUnit = await c.aggregate(statisticsPipeline({ 'assignments.unit': 'jw' }, unit) as never[]).toArray();
    const expectedUnit = statisticsInPlainJs(stored.filter((d) => (d.assignments as { unit: string }[]).some((a) => a.unit === 'jw')), unit);
    expect(foldStatistics(forUnit as never, unit)).toEqual(foldStatistics(expectedUnit, unit));
  });
});
