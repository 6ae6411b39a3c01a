/**
 * In-memory databases, collections and indexes. Documents are kept by `_id` in insertion order;
 * every index (unique or not) is a hash map from a canonical key to the ids holding it, so inserts,
 * unique checks and equality lookups on indexed fields never scan the collection.
 *
 * Stored documents are never mutated in place: updates build a new object and swap it in. Open
 * cursors may therefore keep references to old versions safely.
 */
import { BSON, ObjectId } from 'bson';
import { decodeStored } from './doubles.js';
import { MongoCommandError } from './errors.js';
import type { LogRecord, StorageLog } from './storage-log.js';
import { formatKeyValue, pathValues, valueKey, type Doc } from './types-bridge.js';
import { mingoOptions, Query } from './mingo-setup.js';

export interface IndexSpec {
  name: string;
  key: Record<string, number | string>;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
}

export class Index {
  readonly entries = new Map<string, Set<string>>();
  private readonly fields: string[];
  private readonly partial: Query | null;
  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, mingoOptions()) : null;
  }

  get fieldNames(): readonly string[] {
    return this.fields;
  }

  /** Whether equality lookups can rely on this index (sparse/partial ones omit documents). */
  get usableForLookup(): boolean {
    return !this.spec.sparse && !this.partial;
  }

  /**
   * Index keys of a document, each with the field values that produced it. Missing fields index as
   * null (so two documents without a uniquely indexed field collide, as in MongoDB) unless sparse.
   */
  keysOf(doc: Doc): Array<{ key: string; values: unknown[] }> {
    if (this.partial && !this.partial.test(doc)) return [];
    const perField = this.fields.map((f) => pathValues(doc, f));
    if (this.spec.sparse && perField.every((v) => v.length === 0)) return [];
    const lists = perField.map((v) => (v.length === 0 ? [null] : v));
    // MongoDB refuses a compound key over two *different* arrays; fields inside one array of
    // embedded documents (e.g. `outbox.state` + `outbox.nextAttemptAt`) are fine.
    const arrayPrefixes = new Set(this.fields.filter((_, i) => lists[i]!.length > 1).map((f) => firstArrayPrefix(doc, f)));
    if (arrayPrefixes.size > 1) {
      throw new MongoCommandError(171, `cannot index parallel arrays [${this.fields.join('] [')}]`);
    }
    let combos: unknown[][] = [[]];
    for (const l of lists) combos = combos.flatMap((c) => l.map((v) => [...c, v ?? null]));
    const seen = new Map<string, unknown[]>();
    for (const c of combos) {
      const k = c.map(valueKey).join('\u0000');
      if (!seen.has(k)) seen.set(k, c);
    }
    return [...seen].map(([key, values]) => ({ key, values }));
  }

  lookupKey(values: unknown[]): string {
    return values.map(valueKey).join('\u0000');
  }

  add(id: string, keys: Array<{ key: string }>): void {
    for (const { key } of keys) {
      let s = this.entries.get(key);
      if (!s) this.entries.set(key, (s = new Set()));
      s.add(id);
    }
  }

  remove(id: string, keys: Array<{ key: string }>): void {
    for (const { key } of keys) {
      const s = this.entries.get(key);
      if (!s) continue;
      s.delete(id);
      if (s.size === 0) this.entries.delete(key);
    }
  }

  describe(): Doc {
    const d: Doc = { v: 2, key: this.spec.key, name: this.spec.name };
    if (this.spec.unique) d.unique = true;
    if (this.spec.sparse) d.sparse = true;
    if (this.spec.partialFilterExpression) d.partialFilterExpression = this.spec.partialFilterExpression;
    if (this.spec.expireAfterSeconds !== undefined) d.expireAfterSeconds = this.spec.expireAfterSeconds;
    return d;
  }
}

export class Collection {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();
  constructor(
    readonly db: string,
    public name: string,
  ) {}
  get ns(): string {
    return `${this.db}.${this.name}`;
  }
}

function dupKeyError(coll: Collection, idx: IndexSpec, values: unknown[]): MongoCommandError {
  const fields = Object.keys(idx.key);
  const keyValue: Doc = {};
  fields.forEach((f, i) => (keyValue[f] = values[i] ?? null));
  const shown = '{ ' + fields.map((f, i) => `${f}: ${formatKeyValue(values[i])}`).join(', ') + ' }';
  return new MongoCommandError(
    11000,
    `E11000 duplicate key error collection: ${coll.ns} index: ${idx.name} dup key: ${shown}`,
    { keyPattern: idx.key, keyValue },
  );
}

const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };

/** Deep copy that preserves BSON classes (ObjectId, Binary, Date...). */
export function cloneDoc<T extends Doc>(doc: T): T {
  return decodeStored<T>(BSON.serialize(doc));
}

export class Store {
  readonly dbs = new Map<string, Map<string, Collection>>();
  constructor(private readonly log: StorageLog | null) {
    log?.setCompactionSource(() => this.snapshotRecords());
  }

  // ---------- catalog ----------

  getCollection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** Returns the collection, creating it (and logging the creation) when missing. */
  ensureCollection(db: string, name: string): Collection {
    const c = this.getCollection(db, name);
    if (c) return c;
    validateCollectionName(db, name);
    this.write({ o: 'cc', db, c: name });
    return this.applyCreate(db, name);
  }

  createCollection(db: string, name: string): Collection {
    if (this.getCollection(db, name)) {
      throw new MongoCommandError(48, `Collection ${db}.${name} already exists.`);
    }
    return this.ensureCollection(db, name);
  }

  dropCollection(db: string, name: string): number {
    const c = this.getCollection(db, name);
    if (!c) return 0;
    this.write({ o: 'dc', db, c: name });
    this.applyDropCollection(db, name);
    return c.indexes.size + 1;
  }

  dropDatabase(db: string): void {
    if (!this.dbs.has(db)) return;
    this.write({ o: 'dd', db });
    this.dbs.delete(db);
  }

  renameCollection(db: string, from: string, toDb: string, to: string, dropTarget: boolean): void {
    const src = this.getCollection(db, from);
    if (!src) throw new MongoCommandError(26, `Source collection ${db}.${from} does not exist`);
    if (db !== toDb) throw new MongoCommandError(115, 'renameCollection across databases is not supported by the embedded engine');
    validateCollectionName(toDb, to);
    if (this.getCollection(toDb, to)) {
      if (!dropTarget) throw new MongoCommandError(48, 'target namespace exists');
    }
    this.write({ o: 'rc', db, c: from, to });
    this.applyRename(db, from, to);
  }

  collectionNames(db: string): string[] {
    return [...(this.dbs.get(db)?.keys() ?? [])];
  }

  // ---------- indexes ----------

  createIndex(coll: Collection, spec: IndexSpec): boolean {
    const existing = coll.indexes.get(spec.name);
    const sameKey = [...coll.indexes.values()].find((i) => valueKey(i.spec.key) === valueKey(spec.key));
    if (spec.name === '_id_' || valueKey(spec.key) === valueKey({ _id: 1 })) return false;
    if (existing) {
      if (valueKey(existing.spec.key) !== valueKey(spec.key)) {
        throw new MongoCommandError(86, `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`);
      }
      if (!sameOptions(existing.spec, spec)) {
        throw new MongoCommandError(85, `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`);
      }
      return false;
    }
    if (sameKey) {
      if (sameOptions(sameKey.spec, spec)) {
        throw new MongoCommandError(85, `Index already exists with a different name: ${sameKey.spec.name}`);
      }
      throw new MongoCommandError(85, `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameKey.spec)}`);
    }
    const idx = this.buildIndex(coll, spec);
    this.write({ o: 'ci', db: coll.db, c: coll.name, spec: spec as unknown as Doc });
    coll.indexes.set(spec.name, idx);
    return true;
  }

  private buildIndex(coll: Collection, spec: IndexSpec): Index {
    const idx = new Index(spec);
    for (const [id, doc] of coll.docs) {
      const keys = idx.keysOf(doc);
      if (spec.unique) {
        for (const k of keys) {
          if (idx.entries.get(k.key)?.size) throw dupKeyError(coll, spec, k.values);
        }
      }
      idx.add(id, keys);
    }
    return idx;
  }

  dropIndex(coll: Collection, name: string): void {
    this.write({ o: 'di', db: coll.db, c: coll.name, name });
    coll.indexes.delete(name);
  }

  listIndexes(coll: Collection): Doc[] {
    return [{ v: 2, key: { _id: 1 }, name: '_id_' }, ...[...coll.indexes.values()].map((i) => i.describe())];
  }

  // ---------- documents ----------

  /** Inserts a document after the `_id` and unique checks; nothing is changed if it throws. */
  insert(coll: Collection, doc: Doc): void {
    const id = valueKey(doc._id);
    if (coll.docs.has(id)) throw dupKeyError(coll, ID_INDEX, [doc._id]);
    const keys = this.checkUnique(coll, doc, null);
    this.write({ o: 'p', db: coll.db, c: coll.name, d: doc });
    coll.docs.set(id, doc);
    for (const [idx, k] of keys) idx.add(id, k);
  }

  /** Swaps a stored document for its new version (same `_id`), keeping every index in step. */
  replace(coll: Collection, oldDoc: Doc, newDoc: Doc): void {
    const id = valueKey(oldDoc._id);
    const keys = this.checkUnique(coll, newDoc, id);
    this.write({ o: 'p', db: coll.db, c: coll.name, d: newDoc });
    for (const idx of coll.indexes.values()) idx.remove(id, idx.keysOf(oldDoc));
    coll.docs.set(id, newDoc);
    for (const [idx, k] of keys) idx.add(id, k);
  }

  delete(coll: Collection, doc: Doc): void {
    const id = valueKey(doc._id);
    if (!coll.docs.has(id)) return;
    this.write({ o: 'x', db: coll.db, c: coll.name, id: doc._id });
    this.applyDelete(coll, id);
  }

  /** Index keys for every index, throwing E11000 when a unique key is held by another document. */
  private checkUnique(coll: Collection, doc: Doc, selfId: string | null): Array<[Index, Array<{ key: string }>]> {
    const out: Array<[Index, Array<{ key: string }>]> = [];
    for (const idx of coll.indexes.values()) {
      const keys = idx.keysOf(doc);
      if (idx.spec.unique) {
        for (const k of keys) {
          const holders = idx.entries.get(k.key);
          if (holders && holders.size > 0 && !(holders.size === 1 && selfId !== null && holders.has(selfId))) {
            throw dupKeyError(coll, idx.spec, k.values);
          }
        }
      }
      out.push([idx, keys]);
    }
    return out;
  }

  // ---------- durability ----------

  private write(rec: LogRecord): void {
    this.log?.append(rec);
  }

  /** Resolves when every write so far is durable (immediately when in memory). */
  commit(): Promise<void> {
    return this.log ? this.log.commit() : Promise.resolve();
  }

  /** Rebuilds memory from log records (snapshot first). Records are idempotent assignments. */
  replay(records: Iterable<LogRecord>): void {
    for (const r of records) {
      const db = r.db as string;
      const c = r.c as string;
      switch (r.o) {
        case 'cc':
          this.applyCreate(db, c);
          break;
        case 'dc':
          this.applyDropCollection(db, c);
          break;
        case 'dd':
          this.dbs.delete(db);
          break;
        case 'rc':
          if (this.getCollection(db, c)) this.applyRename(db, c, r.to as string);
          break;
        case 'ci': {
          const coll = this.applyCreate(db, c);
          const spec = r.spec as unknown as IndexSpec;
          const idx = new Index(spec);
          for (const [id, doc] of coll.docs) idx.add(id, idx.keysOf(doc));
          coll.indexes.set(spec.name, idx);
          break;
        }
        case 'di':
          this.getCollection(db, c)?.indexes.delete(r.name as string);
          break;
        case 'p': {
          const coll = this.applyCreate(db, c);
          const doc = r.d as Doc;
          const id = valueKey(doc._id);
          const old = coll.docs.get(id);
          if (old) for (const idx of coll.indexes.values()) idx.remove(id, idx.keysOf(old));
          coll.docs.set(id, doc);
          for (const idx of coll.indexes.values()) idx.add(id, idx.keysOf(doc));
          break;
        }
        case 'x': {
          const coll = this.getCollection(db, c);
          if (coll) this.applyDelete(coll, valueKey(r.id));
          break;
        }
        default:
          throw new Error(`embedded-mongo: unknown log record type ${String(r.o)}`);
      }
    }
  }

  private *snapshotRecords(): Iterable<LogRecord> {
    for (const [db, colls] of this.dbs) {
      for (const coll of colls.values()) {
        yield { o: 'cc', db, c: coll.name };
        for (const doc of coll.docs.values()) yield { o: 'p', db, c: coll.name, d: doc };
        for (const idx of coll.indexes.values()) yield { o: 'ci', db, c: coll.name, spec: idx.spec as unknown as Doc };
      }
    }
  }

  private applyCreate(db: string, name: string): Collection {
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    let c = colls.get(name);
    if (!c) colls.set(name, (c = new Collection(db, name)));
    return c;
  }

  private applyDropCollection(db: string, name: string): void {
    const colls = this.dbs.get(db);
    if (!colls) return;
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
  }

  private applyRename(db: string, from: string, to: string): void {
    const colls = this.dbs.get(db)!;
    const c = colls.get(from)!;
    colls.delete(from);
    colls.delete(to);
    c.name = to;
    colls.set(to, c);
  }

  private applyDelete(coll: Collection, id: string): void {
    const doc = coll.docs.get(id);
    if (!doc) return;
    for (const idx of coll.indexes.values()) idx.remove(id, idx.keysOf(doc));
    coll.docs.delete(id);
  }
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return (
    !!a.unique === !!b.unique &&
    !!a.sparse === !!b.sparse &&
    a.expireAfterSeconds === b.expireAfterSeconds &&
    valueKey(a.partialFilterExpression ?? null) === valueKey(b.partialFilterExpression ?? null)
  );
}

export function validateCollectionName(db: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('$') || name.includes('\0') || name.startsWith('.')) {
    throw new MongoCommandError(73, `Invalid collection name: ${db}.${String(name)}`);
  }
  if (name.startsWith('system.')) throw new MongoCommandError(73, `Invalid system namespace: ${db}.${name}`);
}

export const newObjectId = (): ObjectId => new ObjectId();

/** The dotted prefix of `path` at which the first array is met in `doc` (e.g. `outbox` for `outbox.state`). */
function firstArrayPrefix(doc: Doc, path: string): string | undefined {
  const parts = path.split('.');
  let v: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Doc)[parts[i]!];
    if (Array.isArray(v)) return parts.slice(0, i + 1).join('.');
  }
  return undefined;
}
