/**
 * The audit log's hash chain on the embedded engine: appends from several writers form one chain, and
 * any edit, removal or insertion in the database is named by `verify`.
 */
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createAuditLog, createAuditModel, entryHash, GENESIS_HASH, type AuditLog } from '../../src/admin/audit-log.js';
import { fixedClock } from '../../src/infra/clock.js';
import { startTestMongo, type TestMongo } from '../helpers/embedded-mongo.js';

let mongo: TestMongo;
let conn: Connection;
let n = 0;
let log: AuditLog;
const clock = fixedClock('2021-07-01T10:00:00+08:00');
const actor = { kind: 'admin-token', id: 'admin-token', name: 'ADMIN_TOKEN' };

beforeAll(async () => {
  mongo = await startTestMongo();
});
afterAll(async () => {
  await conn?.close();
  await mongo.close();
});
beforeEach(async () => {
  await conn?.close();
  conn = mongoose.createConnection(`${mongo.uri}audit_${process.pid}_${++n}`);
  await conn.asPromise();
  const model = createAuditModel(conn);
  await model.init();
  log = createAuditLog({ model, clock });
});

const entry = (i: number) => ({ actor, action: 'mark_valuable', target: `WZ2021-${String(i).padStart(6, '0')}`, before: { valuable: false }, after: { valuable: true, at: new Date('2021-07-01T02:00:00Z') }, requestId: `req-${i}` });

describe('the audit log', () => {
  test('each entry holds the hash of the one before; the first follows the genesis hash', async () => {
    const a = await log.record(entry(1));
    const b = await log.record(entry(2));
    expect(a).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prevHash: a.hash });
    const { hash, ...rest } = b;
    expect(entryHash(rest)).toBe(hash);
    expect(await log.verify()).toEqual({ ok: true, entries: 2, headHash: b.hash });
  });

  test('two writers (two processes) appending at once still form one unbroken chain', async () => {
    const other = createAuditLog({ model: createAuditModel(conn), clock });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? log : other).record(entry(i + 1))));
    const r = await log.verify();
    expect(r).toMatchObject({ ok: true, entries: 20 });
  });

  test.each([
    ['an edited entry', async () => void (await conn.collection('audit_log').updateOne({ seq: 3 }, { $set: { 'after.valuable': false } })), { seq: 3, problem: 'edited' }],
    ['a removed entry', async () => void (await conn.collection('audit_log').deleteOne({ seq: 3 })), { seq: 3, problem: 'missing' }],
    [
      'an entry replaced by a self-consistent forgery',
      async () => {
        const old = (await conn.collection('audit_log').findOne({ seq: 3 }))!;
        const forged = { seq: 3, at: old.at, actor, action: 'mark_valuable', target: 'WZ2021-999999', before: null, after: null, requestId: null, prevHash: old.prevHash as string };
        await conn.collection('audit_log').replaceOne({ seq: 3 }, { ...forged, hash: entryHash(forged) });
      },
      { seq: 4, problem: 'broken_link' },
    ],
  ])('%s is named by verify', async (_what, tamper, expected) => {
    for (let i = 1; i <= 5; i++) await log.record(entry(i));
    await tamper();
    expect(await log.verify()).toMatchObject({ ok: false, ...expected });
  });
});
