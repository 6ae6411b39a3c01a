/**
 * GridFS on the embedded engine through the official driver's GridFSBucket (and mongoose's
 * connection.db), as attachments use it: upload in chunks, download whole or by byte range,
 * find by filename/metadata, rename, delete, and the errors the driver documents.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/embedded-mongo/index.js';

const { MongoClient, GridFSBucket, ObjectId } = mongoose.mongo;

let mongo: EmbeddedMongo;
let client: mongoose.mongo.MongoClient;
let db: mongoose.mongo.Db;

beforeAll(async () => {
  mongo = await startEmbeddedMongo();
  client = await MongoClient.connect(mongo.uri);
  db = client.db('gridfs');
});
afterAll(async () => {
  await client.close();
  await mongo.close();
});

async function upload(bucket: mongoose.mongo.GridFSBucket, name: string, data: Buffer, opts: mongoose.mongo.GridFSBucketWriteStreamOptions = {}) {
  const up = bucket.openUploadStream(name, opts);
  await pipeline(Readable.from([data]), up);
  return up.id as mongoose.mongo.ObjectId;
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('GridFSBucket', () => {
  it('uploads a file in chunks and downloads the same bytes by id and by name', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'photos', chunkSizeBytes: 1000 });
    const data = randomBytes(4500);
    const id = await upload(bucket, 'scan.jpg', data, { metadata: { suggestion: 'WZ-1', contentType: 'image/jpeg' } });
    const files = await bucket.find({ _id: id }).toArray();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'scan.jpg', length: 4500, chunkSize: 1000, metadata: { suggestion: 'WZ-1', contentType: 'image/jpeg' } });
    expect(files[0]!.uploadDate).toBeInstanceOf(Date);
    const chunks = await db.collection('photos.chunks').find({ files_id: id }).sort({ n: 1 }).toArray();
    expect(chunks.map((c) => c.n)).toEqual([0, 1, 2, 3, 4]);
    expect(chunks.map((c) => c.data.buffer.length)).toEqual([1000, 1000, 1000, 1000, 500]);
    expect(sha(await readAll(bucket.openDownloadStream(id)))).toBe(sha(data));
    expect(sha(await readAll(bucket.openDownloadStreamByName('scan.jpg')))).toBe(sha(data));
  });

  it('creates the indexes the GridFS spec requires', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'idx' });
    await upload(bucket, 'a.txt', Buffer.from('hello'));
    const fileIdx = await db.collection('idx.files').listIndexes().toArray();
    const chunkIdx = await db.collection('idx.chunks').listIndexes().toArray();
    expect(fileIdx.map((i) => i.key)).toContainEqual({ filename: 1, uploadDate: 1 });
    expect(chunkIdx.find((i) => i.key.files_id === 1 && i.key.n === 1)).toMatchObject({ unique: true });
  });

  it('reads byte ranges across chunk boundaries (start inclusive, end exclusive)', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'range', chunkSizeBytes: 256 });
    const data = randomBytes(2000);
    const id = await upload(bucket, 'doc.pdf', data);
    for (const [start, end] of [[0, 10], [250, 260], [256, 512], [1999, 2000], [100, 2000], [0, 2000], [700, 701]] as const) {
      const got = await readAll(bucket.openDownloadStream(id, { start, end }));
      expect(got.equals(data.subarray(start, end)), `range ${start}-${end}`).toBe(true);
    }
    // The driver (7.x) defaults `end` to 0 when only `start` is given, so a tail read names the length.
    const tail = await readAll(bucket.openDownloadStream(id, { start: 1500, end: data.length }));
    expect(tail.equals(data.subarray(1500))).toBe(true);
  });

  it('keeps several revisions by name and picks them by revision', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'rev' });
    await upload(bucket, 'note.txt', Buffer.from('first'));
    await new Promise((r) => setTimeout(r, 5));
    await upload(bucket, 'note.txt', Buffer.from('second'));
    await new Promise((r) => setTimeout(r, 5));
    await upload(bucket, 'note.txt', Buffer.from('third'));
    expect((await readAll(bucket.openDownloadStreamByName('note.txt'))).toString()).toBe('third');
    expect((await readAll(bucket.openDownloadStreamByName('note.txt', { revision: 0 }))).toString()).toBe('first');
    expect((await readAll(bucket.openDownloadStreamByName('note.txt', { revision: -2 }))).toString()).toBe('second');
  });

  it('stores an empty file with no chunks and reads it back empty', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'empty' });
    const id = await upload(bucket, 'nothing.bin', Buffer.alloc(0));
    expect(await db.collection('empty.chunks').countDocuments({ files_id: id })).toBe(0);
    expect((await readAll(bucket.openDownloadStream(id))).length).toBe(0);
  });

  it('deletes a file with its chunks; deleting or downloading a missing file fails as the driver documents', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'del', chunkSizeBytes: 100 });
    const id = await upload(bucket, 'gone.txt', randomBytes(350));
    const keep = await upload(bucket, 'kept.txt', randomBytes(150));
    await bucket.delete(id);
    expect(await bucket.find({ _id: id }).toArray()).toEqual([]);
    expect(await db.collection('del.chunks').countDocuments({ files_id: id })).toBe(0);
    expect(await db.collection('del.chunks').countDocuments({ files_id: keep })).toBe(2);
    await expect(bucket.delete(id)).rejects.toThrow(/File not found for id/);
    await expect(readAll(bucket.openDownloadStream(new ObjectId()))).rejects.toThrow(/FileNotFound|File not found/);
  });

  it('renames, finds by metadata and drops the bucket', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'ren' });
    const id = await upload(bucket, 'old.txt', Buffer.from('x'), { metadata: { owner: 'u1' } });
    await bucket.rename(id, 'new.txt');
    expect((await bucket.find({ 'metadata.owner': 'u1' }).toArray()).map((f) => f.filename)).toEqual(['new.txt']);
    await bucket.drop();
    const names = (await db.listCollections().toArray()).map((c) => c.name);
    expect(names).not.toContain('ren.files');
    expect(names).not.toContain('ren.chunks');
  });

  it('detects a missing chunk instead of returning short data', async () => {
    const bucket = new GridFSBucket(db, { bucketName: 'broken', chunkSizeBytes: 100 });
    const id = await upload(bucket, 'b.bin', randomBytes(300));
    await db.collection('broken.chunks').deleteOne({ files_id: id, n: 1 });
    await expect(readAll(bucket.openDownloadStream(id))).rejects.toThrow(/ChunkIsMissing|chunk/i);
  });

  it('works through a mongoose connection', async () => {
    const conn = await mongoose.createConnection(mongo.uri + 'gridfs_mongoose').asPromise();
    try {
      const bucket = new GridFSBucket(conn.db!, { bucketName: 'attachments' });
      const data = randomBytes(6_000_000); // more than one getMore batch of chunks
      const id = await upload(bucket, 'big.bin', data);
      expect(sha(await readAll(bucket.openDownloadStream(id)))).toBe(sha(data));
      expect(sha(await readAll(bucket.openDownloadStream(id, { start: 261_000, end: 262_000 })))).toBe(sha(data.subarray(261_000, 262_000)));
    } finally {
      await conn.close();
    }
  });

  it('a stored file survives a restart of a durable engine', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridfs-'));
    try {
      const data = randomBytes(700_000);
      let m = await startEmbeddedMongo({ dbPath: dir });
      let c = await MongoClient.connect(m.uri);
      const id = await upload(new GridFSBucket(c.db('att')), 'kept.bin', data);
      await c.close();
      await m.close();
      m = await startEmbeddedMongo({ dbPath: dir });
      c = await MongoClient.connect(m.uri);
      try {
        const got = await readAll(new GridFSBucket(c.db('att')).openDownloadStream(id, { start: 300_000, end: 700_000 }));
        expect(got.equals(data.subarray(300_000))).toBe(true);
      } finally {
        await c.close();
        await m.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
