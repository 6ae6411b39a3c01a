/** Wire-level behaviour checked with raw sockets: framing, flags, legacy handshake, limits. */
import net from 'node:net';
import { BSON, Long } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/embedded-mongo/index.js';
import { crc32c } from '../../src/embedded-mongo/wire-protocol.js';

let mongo: EmbeddedMongo;
beforeAll(async () => {
  mongo = await startEmbeddedMongo();
});
afterAll(async () => {
  await mongo.close();
});

let reqId = 100;

function opMsg(body: object, opts: { flags?: number; seq?: [string, object[]]; checksum?: boolean } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  if (opts.seq) {
    const docs = opts.seq[1].map((d) => Buffer.from(BSON.serialize(d)));
    const id = Buffer.from(opts.seq[0] + '\0');
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + id.length + docs.reduce((a, d) => a + d.length, 0));
    parts.push(Buffer.from([1]), size, id, ...docs);
  }
  const flags = (opts.flags ?? 0) | (opts.checksum ? 1 : 0);
  const payload = Buffer.concat(parts);
  const total = 20 + payload.length + (opts.checksum ? 4 : 0);
  const head = Buffer.alloc(20);
  head.writeInt32LE(total, 0);
  head.writeInt32LE(reqId++, 4);
  head.writeInt32LE(0, 8);
  head.writeInt32LE(2013, 12);
  head.writeUInt32LE(flags, 16);
  let msg = Buffer.concat([head, payload]);
  if (opts.checksum) {
    const c = Buffer.alloc(4);
    c.writeUInt32LE(crc32c(msg));
    msg = Buffer.concat([msg, c]);
  }
  return msg;
}

function opQuery(ns: string, query: object): Buffer {
  const q = Buffer.from(BSON.serialize(query));
  const nsb = Buffer.from(ns + '\0');
  const head = Buffer.alloc(20);
  const tail = Buffer.alloc(8);
  tail.writeInt32LE(0, 0);
  tail.writeInt32LE(-1, 4);
  const total = 20 + nsb.length + 8 + q.length;
  head.writeInt32LE(total, 0);
  head.writeInt32LE(reqId++, 4);
  head.writeInt32LE(0, 8);
  head.writeInt32LE(2004, 12);
  head.writeInt32LE(0, 16);
  return Buffer.concat([head, nsb, tail, q]);
}

/** Sends messages on one connection and collects `expect` replies (or waits for close). */
function exchange(msgs: Buffer[], expectReplies: number): Promise<{ replies: Array<{ opCode: number; doc: Record<string, unknown>; responseTo: number }>; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(mongo.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const replies: Array<{ opCode: number; doc: Record<string, unknown>; responseTo: number }> = [];
    const done = (closed: boolean) => {
      s.destroy();
      resolve({ replies, closed });
    };
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0);
        const m = buf.subarray(0, len);
        buf = buf.subarray(len);
        const opCode = m.readInt32LE(12);
        const doc = opCode === 1 ? BSON.deserialize(m.subarray(36)) : BSON.deserialize(m.subarray(21));
        replies.push({ opCode, doc, responseTo: m.readInt32LE(8) });
        if (replies.length === expectReplies) done(false);
      }
    });
    s.on('close', () => done(true));
    s.on('error', reject);
    s.on('connect', () => {
      for (const m of msgs) s.write(m);
      if (expectReplies === 0) setTimeout(() => done(false), 200);
    });
  });
}

describe('wire protocol', () => {
  it('answers the legacy OP_QUERY isMaster handshake with OP_REPLY', async () => {
    const { replies } = await exchange([opQuery('admin.$cmd', { isMaster: 1, helloOk: true })], 1);
    expect(replies[0]!.opCode).toBe(1);
    expect(replies[0]!.doc).toMatchObject({ ismaster: true, helloOk: true, ok: 1 });
    expect(replies[0]!.doc.topologyVersion).toBeUndefined();
  });
  it('merges kind-1 document sequences into the body and replies in order', async () => {
    const ins = opMsg({ insert: 'seq', $db: 'wire', ordered: true }, { seq: ['documents', [{ _id: 1 }, { _id: 2 }, { _id: 3 }]] });
    const cnt = opMsg({ count: 'seq', $db: 'wire' });
    const { replies } = await exchange([ins, cnt], 2);
    expect(replies[0]!.doc).toEqual({ n: 3, ok: 1 });
    expect(replies[1]!.doc).toEqual({ n: 3, ok: 1 });
  });
  it('keeps an integral double a double whether it arrives in a document sequence or in the body', async () => {
    const { Double } = BSON;
    const seqIns = opMsg({ insert: 'dbl', $db: 'wire' }, { seq: ['documents', [{ _id: 1, d: new Double(2) }]] });
    const bodyIns = opMsg({ insert: 'dbl', $db: 'wire', documents: [{ _id: 2, d: new Double(2) }, { _id: 3, d: 2 }] });
    const seqUpd = opMsg({ update: 'dbl', $db: 'wire' }, { seq: ['updates', [{ q: { _id: 3 }, u: { $set: { e: new Double(4) } } }]] });
    const find = opMsg({ find: 'dbl', $db: 'wire', filter: { $or: [{ d: { $type: 'double' } }, { e: { $type: 'double' } }] }, sort: { _id: 1 } });
    const { replies } = await exchange([seqIns, bodyIns, seqUpd, find], 4);
    const batch = (replies[3]!.doc as { cursor: { firstBatch: Array<{ _id: number }> } }).cursor.firstBatch;
    expect(batch.map((d) => d._id)).toEqual([1, 2, 3]);
  });
  it('verifies a checksum when present', async () => {
    const { replies } = await exchange([opMsg({ ping: 1, $db: 'admin' }, { checksum: true })], 1);
    expect(replies[0]!.doc).toEqual({ ok: 1 });
    const bad = opMsg({ ping: 1, $db: 'admin' }, { checksum: true });
    bad.writeUInt32LE((bad.readUInt32LE(bad.length - 4) + 1) >>> 0, bad.length - 4);
    const r = await exchange([bad], 1);
    expect(r.closed).toBe(true);
  });
  it('sends no reply with moreToCome (endSessions)', async () => {
    const more = opMsg({ endSessions: [], $db: 'admin' }, { flags: 2 });
    const ping = opMsg({ ping: 1, $db: 'admin' });
    const { replies } = await exchange([more, ping], 1);
    expect(replies.length).toBe(1);
    expect(replies[0]!.doc).toEqual({ ok: 1 });
  });
  it('returns int64 cursor ids', async () => {
    const ins = opMsg({ insert: 'cur', $db: 'wire', documents: Array.from({ length: 5 }, (_, i) => ({ i })) });
    const find = opMsg({ find: 'cur', $db: 'wire', batchSize: 2 });
    const m = await exchange([ins, find], 2);
    const raw = m.replies[1]!.doc as { cursor: { id: unknown } };
    expect(typeof raw.cursor.id === 'bigint' || raw.cursor.id instanceof Long || typeof raw.cursor.id === 'number').toBe(true);
    expect(String(raw.cursor.id)).not.toBe('0');
  });
  it('closes the connection on an oversized or malformed message', async () => {
    const huge = Buffer.alloc(16);
    huge.writeInt32LE(60_000_000, 0);
    expect((await exchange([huge], 1)).closed).toBe(true);
    const tiny = Buffer.alloc(16);
    tiny.writeInt32LE(8, 0);
    expect((await exchange([tiny], 1)).closed).toBe(true);
  });
  it('serves many connections at once', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => exchange([opMsg({ ping: 1, $db: 'admin' })], 1)));
    expect(results.every((r) => r.replies[0]?.doc.ok === 1)).toBe(true);
  });
});

describe('start-up guards', () => {
  it('refuses non-loopback hosts', async () => {
    await expect(startEmbeddedMongo({ host: '0.0.0.0' })).rejects.toThrow(/non-loopback/);
  });
  it('refuses NODE_ENV=production unless allowed', async () => {
    const prev = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startEmbeddedMongo()).rejects.toThrow(/production/);
      const ok = await startEmbeddedMongo({ allowProduction: true });
      await ok.close();
    } finally {
      process.env.NODE_ENV = prev;
    }
  });
});
