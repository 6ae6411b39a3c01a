/**
 * Durable storage: an append-only log of BSON records, each framed as
 * `[u32 length][u32 crc32][BSON]`, plus a snapshot file in the same framing.
 *
 * Invariants:
 * - A write is acknowledged only after `commit()` resolves, i.e. after fdatasync of every record
 *   appended before it. Records appended within one event-loop turn share one sync (group commit), and
 *   the sync runs off the event loop.
 * - Records are state assignments (put the whole post-image, delete by id, catalog changes) so that
 *   replaying the log on top of a newer snapshot is idempotent: a crash between the snapshot rename
 *   and the log truncation loses nothing and duplicates nothing.
 * - A torn or corrupt tail (crash mid-append) ends replay; the file is truncated to the last good record.
 * - A failed append (e.g. ENOSPC) is rolled back by truncating to the record's start, and the caller
 *   has not applied the change yet, so memory and disk stay equal. A failed fsync poisons the log:
 *   every later write fails, because what is on disk is then unknown.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { BSON } from 'bson';
import { decodeStored } from './doubles.js';
import { MongoCommandError } from './errors.js';

export type LogRecord = Record<string, unknown>;

const LOG_FILE = 'journal.log';
const SNAPSHOT_FILE = 'snapshot.bson';
const LOCK_FILE = 'mongod.lock';
/** How long a conflicting lock is retried before the directory is reported as in use. */
const LOCK_WAIT_MS = 2_000;
const HEADER = 8;
const MAX_RECORD = 64 * 1024 * 1024;

/** Advisory file locks (fs-native-extensions ships prebuilt binaries; no compiler needed). */
const nativeFs = createRequire(import.meta.url)('fs-native-extensions') as { tryLock(fd: number): boolean };

/** Directories locked by this process, for a clearer message than the lock conflict itself. */
const lockedHere = new Set<string>();

export interface StorageLogOptions {
  dir: string;
  /** Compact when the log grows past this many bytes and past twice the last snapshot. */
  compactThresholdBytes?: number;
  /** Test hook: called before each append with the bytes to write; may throw to simulate a full disk. */
  beforeAppend?: (bytes: number) => void;
  warn?: (o: object, msg: string) => void;
}

export interface ReplayResult {
  records: LogRecord[];
  droppedTailBytes: number;
}

function frame(rec: LogRecord): Buffer {
  const body = BSON.serialize(rec);
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(zlib.crc32(body), 4);
  out.set(body, HEADER);
  return out;
}

/** Parses framed records; stops at the first incomplete or corrupt one and reports where. */
export function readFramed(buf: Buffer): { records: LogRecord[]; goodBytes: number } {
  const records: LogRecord[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len < 5 || len > MAX_RECORD || off + HEADER + len > buf.length) break;
    const body = buf.subarray(off + HEADER, off + HEADER + len);
    if (zlib.crc32(body) !== crc) break;
    try {
      records.push(decodeStored<LogRecord>(body));
    } catch {
      break;
    }
    off += HEADER + len;
  }
  return { records, goodBytes: off };
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export class StorageLog {
  private readonly dir: string;
  private fd = -1;
  private lockFd = -1;
  private offset = 0;
  private snapshotBytes = 0;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private flushScheduled = false;
  /** An fdatasync is under way on the thread pool. */
  private syncing = false;
  private unsynced = false;
  private poisoned: Error | null = null;
  private compactSource: (() => Iterable<LogRecord>) | null = null;
  private readonly threshold: number;
  private closed = false;
  compactions = 0;
  syncs = 0;

  constructor(private readonly opts: StorageLogOptions) {
    this.dir = path.resolve(opts.dir);
    this.threshold = opts.compactThresholdBytes ?? 64 * 1024 * 1024;
  }

  /** Takes the lock file, reads the snapshot and the log, and opens the log for appending. */
  open(): ReplayResult {
    // Owner-only (issue 17): the engine takes unauthenticated loopback connections, its files must not be readable by others.
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.lock();
    const records: LogRecord[] = [];
    const snapPath = path.join(this.dir, SNAPSHOT_FILE);
    if (fs.existsSync(snapPath)) {
      const buf = fs.readFileSync(snapPath);
      const r = readFramed(buf);
      // The snapshot is fsynced before it is renamed into place, so it is never torn: damage means
      // the disk is lying, and starting with partial data would silently lose acknowledged writes.
      if (r.goodBytes !== buf.length) {
        this.unlock();
        throw new Error(`embedded-mongo: snapshot ${snapPath} is corrupt at byte ${r.goodBytes}; refusing to start`);
      }
      this.snapshotBytes = buf.length;
      records.push(...r.records);
    }
    const logPath = path.join(this.dir, LOG_FILE);
    let dropped = 0;
    this.fd = fs.openSync(logPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    fs.fchmodSync(this.fd, 0o600);
    const size = fs.fstatSync(this.fd).size;
    if (size > 0) {
      const buf = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) read += fs.readSync(this.fd, buf, read, size - read, read);
      const r = readFramed(buf);
      records.push(...r.records);
      if (r.goodBytes < size) {
        dropped = size - r.goodBytes;
        this.opts.warn?.({ dir: this.dir, droppedBytes: dropped }, 'embedded-mongo: truncating torn tail of the log');
        fs.ftruncateSync(this.fd, r.goodBytes);
        fs.fsyncSync(this.fd);
      }
      this.offset = r.goodBytes;
    }
    fsyncDir(this.dir);
    return { records, droppedTailBytes: dropped };
  }

  /** Gives the log a way to enumerate the full state as records, for compaction. */
  setCompactionSource(src: () => Iterable<LogRecord>): void {
    this.compactSource = src;
  }

  get logBytes(): number {
    return this.offset;
  }

  /**
   * Appends one record (written to the OS, not yet synced). Throws before anything is applied
   * if the write fails, leaving the file as it was.
   */
  append(rec: LogRecord): void {
    if (this.poisoned) throw new MongoCommandError(1, `storage failed earlier, writes are refused: ${this.poisoned.message}`);
    if (this.closed) throw new MongoCommandError(91, 'storage is closed');
    const buf = frame(rec);
    const start = this.offset;
    try {
      this.opts.beforeAppend?.(buf.length);
      let done = 0;
      while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, start + done);
    } catch (e) {
      try {
        fs.ftruncateSync(this.fd, start);
      } catch {
        // If even the truncation fails, a later replay still stops at the torn record's bad checksum.
      }
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
        throw new MongoCommandError(14031, `Write failed: the disk holding ${this.dir} is full (${err.code})`);
      }
      throw new MongoCommandError(1, `Write to the log failed: ${err.message}`);
    }
    this.offset = start + buf.length;
    this.unsynced = true;
  }

  /**
   * Resolves once everything appended so far is on disk. One fdatasync per event-loop turn, run on libuv's
   * thread pool so the engine keeps answering reads (and, in-process, the host keeps running) meanwhile;
   * records appended while a sync is under way are synced by the next one.
   */
  commit(): Promise<void> {
    if (this.poisoned) return Promise.reject(this.poisoned);
    if (!this.unsynced && this.waiters.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.syncing) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const waiters = this.waiters;
    this.waiters = [];
    if (this.closed) {
      for (const w of waiters) w.resolve(); // close() synced everything
      return;
    }
    if (!this.unsynced || this.fd < 0) {
      for (const w of waiters) w.resolve();
      return;
    }
    // Everything appended up to now is covered by this sync; later appends set `unsynced` again.
    this.unsynced = false;
    this.syncing = true;
    fs.fdatasync(this.fd, (e) => {
      this.syncing = false;
      if (this.closed) {
        for (const w of waiters) w.resolve(); // close() synced before closing the file
        return;
      }
      if (e) {
        this.poisoned = new MongoCommandError(1, `fdatasync failed, storage is now read-only: ${e.message}`);
        for (const w of [...waiters, ...this.waiters.splice(0)]) w.reject(this.poisoned);
        return;
      }
      this.syncs++;
      for (const w of waiters) w.resolve();
      if (this.offset > this.threshold && this.offset > 2 * this.snapshotBytes) {
        try {
          this.compact();
        } catch (err) {
          this.opts.warn?.({ err: (err as Error).message }, 'embedded-mongo: compaction failed; the log is kept');
        }
      }
      if (this.waiters.length) this.scheduleFlush();
    });
  }

  /**
   * Writes the whole state to a new snapshot (temp file, fsync, rename, fsync dir), then empties
   * the log. Synchronous on purpose: no write can interleave, so the snapshot equals memory.
   */
  compact(): void {
    if (!this.compactSource || this.poisoned || this.closed) return;
    if (this.unsynced) {
      fs.fdatasyncSync(this.fd);
      this.unsynced = false;
    }
    const tmp = path.join(this.dir, SNAPSHOT_FILE + '.tmp');
    const fd = fs.openSync(tmp, 'w', 0o600);
    let bytes = 0;
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flushChunk = (): void => {
        const chunk = Buffer.concat(pending, pendingBytes);
        let done = 0;
        while (done < chunk.length) done += fs.writeSync(fd, chunk, done, chunk.length - done);
        bytes += chunk.length;
        pending = [];
        pendingBytes = 0;
      };
      for (const rec of this.compactSource()) {
        const b = frame(rec);
        pending.push(b);
        pendingBytes += b.length;
        if (pendingBytes > 4 * 1024 * 1024) flushChunk();
      }
      flushChunk();
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(this.dir, SNAPSHOT_FILE));
    fsyncDir(this.dir);
    // Only now is the old log redundant; if we die before this truncation, replay is idempotent.
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.offset = 0;
    this.snapshotBytes = bytes;
    this.compactions++;
  }

  /** Flushes pending records and releases the lock. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.fd >= 0) {
        // A sync under way on the thread pool may not have finished: sync here before the file is closed.
        if ((this.unsynced || this.syncing) && !this.poisoned) fs.fdatasyncSync(this.fd);
        fs.closeSync(this.fd);
      }
    } finally {
      this.fd = -1;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
      this.unlock();
    }
  }

  /**
   * An advisory lock on `mongod.lock` held through an open file descriptor (an open-file-description
   * lock on Linux, flock on macOS). The kernel drops it the moment the holder dies, even while the
   * dead process is still unreaped, so a restart right after SIGKILL never mistakes a dead owner for
   * a live one; a live owner in another process or in this one is refused. The file is never
   * deleted (unlinking a lock file races with a process that just opened it); it holds the owner's
   * pid for the error message only.
   */
  private lock(): void {
    const lockPath = path.join(this.dir, LOCK_FILE);
    if (lockedHere.has(this.dir)) {
      throw new Error(`embedded-mongo: data directory ${this.dir} is already open in this process`);
    }
    const fd = fs.openSync(lockPath, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    let granted = false;
    try {
      // A killed owner can show as dead (a zombie) a few milliseconds before its last thread has
      // exited and the kernel has closed its files; a live owner holds the lock indefinitely. So a
      // conflict is retried briefly before it is reported.
      const until = Date.now() + LOCK_WAIT_MS;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (!(granted = nativeFs.tryLock(fd)) && Date.now() < until) Atomics.wait(pause, 0, 0, 25);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    if (!granted) {
      let owner = '';
      try {
        owner = fs.readFileSync(lockPath, 'utf8').trim();
      } catch {
        // The pid is only for the message.
      }
      fs.closeSync(fd);
      throw new Error(`embedded-mongo: data directory ${this.dir} is locked by running process ${owner || '(unknown pid)'} (${lockPath})`);
    }
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, String(process.pid), 0);
    this.lockFd = fd;
    lockedHere.add(this.dir);
  }

  private unlock(): void {
    if (this.lockFd < 0) return;
    lockedHere.delete(this.dir);
    try {
      fs.ftruncateSync(this.lockFd, 0);
    } catch {
      // Closing the descriptor below is what releases the lock.
    }
    fs.closeSync(this.lockFd);
    this.lockFd = -1;
  }
}
