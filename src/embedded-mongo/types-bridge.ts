/**
 * The BSON type system as MongoDB sees it: canonical comparison order across types, hashable keys
 * with MongoDB's equality (1 == 1.0, ObjectIds by value), dotted-path value extraction through arrays,
 * and refusal of types this engine cannot evaluate faithfully.
 */
import { MongoCommandError } from './errors.js';

export type Doc = Record<string, unknown>;

const bsonType = (v: object): string | undefined => (v as { _bsontype?: string })._bsontype;

/** MongoDB's cross-type sort order (lower sorts first). Missing and null compare equal. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    case 'object':
      break;
    default:
      return 4;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  switch (bsonType(v as object)) {
    case 'MinKey':
      return 1;
    case 'MaxKey':
      return 13;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'Code':
      return 13 - 0.5;
    default:
      return 5;
  }
}

function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = v as { valueOf(): unknown; toNumber?: () => number };
  if (typeof t.toNumber === 'function') return t.toNumber();
  return Number(t.valueOf());
}

/** int64 values are JS bigints inside the engine (wire and log decode with `useBigInt64`). */
const numericOf = (v: unknown): number | bigint => {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (bsonType(v as object) === 'Long') return (v as { toBigInt(): bigint }).toBigInt();
  return numberOf(v);
};

/**
 * Exact numeric order across int32, int64 and double (MongoDB compares numbers by value, so
 * 2n ** 60n + 1n > 2 ** 60 although the double nearest to it is equal). NaN sorts below all numbers.
 */
export function compareNumbers(a: unknown, b: unknown): number {
  const x = numericOf(a);
  const y = numericOf(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'number' && typeof y === 'number') {
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
    if (Number.isNaN(y)) return 1;
    return cmpPrim(x, y);
  }
  return typeof x === 'bigint' ? cmpBigDouble(x, y as number) : -cmpBigDouble(y as bigint, x as number);
}

function cmpBigDouble(big: bigint, d: number): number {
  if (Number.isNaN(d)) return 1;
  if (d === Infinity) return -1;
  if (d === -Infinity) return 1;
  const floor = Math.floor(d);
  const f = BigInt(floor);
  if (big < f) return -1;
  if (big > f) return 1;
  return floor === d ? 0 : -1; // d lies strictly between f and f + 1
}

/** Whether a value is one of BSON's numeric types as the engine holds them. */
export function isNumericValue(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  const t = bsonType(v);
  return t === 'Int32' || t === 'Double' || t === 'Long';
}

/** The key part of a number: equal for equal values whatever their BSON type (1n, 1, 1.0). */
function numberKey(v: number | bigint): string {
  if (typeof v === 'bigint') return 'n' + String(v);
  if (v === 0) return 'n0';
  // Integral doubles of 2^53 and beyond print in exponent form; print them as the integer they are.
  if (Number.isInteger(v) && Math.abs(v) >= 2 ** 53) return 'n' + BigInt(v).toString();
  return 'n' + String(v);
}

function cmpPrim(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two BSON values in MongoDB's order (as used by sort and range comparisons). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return cmpPrim(String(a), String(b));
    case 5:
      return compareObjects(a as Doc, b as Doc);
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return cmpPrim(x.length, y.length);
    }
    case 7: {
      const x = a as { buffer: Uint8Array; sub_type: number };
      const y = b as { buffer: Uint8Array; sub_type: number };
      if (x.buffer.length !== y.buffer.length) return cmpPrim(x.buffer.length, y.buffer.length);
      if (x.sub_type !== y.sub_type) return cmpPrim(x.sub_type, y.sub_type);
      return Buffer.compare(Buffer.from(x.buffer), Buffer.from(y.buffer));
    }
    case 8:
      return cmpPrim((a as { toHexString(): string }).toHexString(), (b as { toHexString(): string }).toHexString());
    case 9:
      return cmpPrim(Number(a), Number(b));
    case 10:
      return cmpPrim((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as { compare(o: unknown): number }).compare(b);
    default:
      return cmpPrim(String(a), String(b));
  }
}

function compareObjects(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const fa = ka[i]!;
    const fb = kb[i]!;
    const tr = typeRank(a[fa]) - typeRank(b[fb]);
    if (tr !== 0) return tr < 0 ? -1 : 1;
    const kc = cmpPrim(fa, fb);
    if (kc !== 0) return kc;
    const vc = compareValues(a[fa], b[fb]);
    if (vc !== 0) return vc;
  }
  return cmpPrim(ka.length, kb.length);
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal
 * (numbers by value across int/double, ObjectIds by bytes, objects by ordered fields).
 */
export function valueKey(v: unknown): string {
  if (v === undefined || v === null) return 'z';
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return numberKey(v);
    case 'string':
      return 's' + v;
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'object':
      break;
    default:
      return 'u' + String(v);
  }
  if (Array.isArray(v)) return 'a[' + v.map(valueKey).join(',') + ']';
  if (v instanceof Date) return 'd' + v.getTime();
  if (v instanceof RegExp) return 'r/' + v.source + '/' + v.flags;
  switch (bsonType(v as object)) {
    case 'ObjectId':
      return 'o' + (v as { toHexString(): string }).toHexString();
    case 'Binary': {
      const b = v as { buffer: Uint8Array; sub_type: number };
      return 'x' + b.sub_type + ':' + Buffer.from(b.buffer).toString('base64');
    }
    case 'Int32':
    case 'Double':
    case 'Long':
      return numberKey(numericOf(v));
    case 'MinKey':
      return 'm-';
    case 'MaxKey':
      return 'm+';
    case 'Timestamp':
      return 't' + String(v);
    case 'Decimal128':
      return 'D' + String(v);
    default:
      break;
  }
  const o = v as Doc;
  let s = '{';
  for (const k of Object.keys(o)) s += JSON.stringify(k) + ':' + valueKey(o[k]) + ',';
  return s + '}';
}

/**
 * All values a dotted path reaches, descending through arrays the way MongoDB indexes do.
 * Arrays at the end of the path contribute their elements (multikey); an empty array contributes
 * `undefined` so it is indexed like a missing value. Returns [] when the path is missing.
 */
export function pathValues(doc: unknown, path: string): unknown[] {
  const parts = path.split('.');
  const out: unknown[] = [];
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      if (Array.isArray(v)) {
        if (v.length === 0) out.push(undefined);
        else for (const e of v) out.push(e);
      } else out.push(v);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const part = parts[i]!;
    if (Array.isArray(v)) {
      if (/^\d+$/.test(part)) {
        walk(v[Number(part)], i + 1);
        return;
      }
      for (const e of v) if (e !== null && typeof e === 'object' && !Array.isArray(e)) walk(e, i);
      return;
    }
    const o = v as Doc;
    if (!(part in o)) return;
    walk(o[part], i + 1);
  };
  walk(doc, 0);
  return out;
}

/** Reads a dotted path without array traversal (undefined when absent). */
export function getPath(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const p of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Doc)[p];
  }
  return v;
}

/** Sets a dotted path, creating embedded documents on the way. */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    const next = cur[p];
    if (next === null || typeof next !== 'object') cur[p] = {};
    cur = cur[p] as Doc;
  }
  cur[parts[parts.length - 1]!] = value;
}

/**
 * Sort key of a field for one direction: MongoDB sorts an array field by its smallest element
 * ascending and by its largest element descending.
 */
export function sortKey(doc: Doc, path: string, dir: number): unknown {
  const vals = pathValues(doc, path);
  if (vals.length === 0) return undefined;
  if (vals.length === 1) return vals[0];
  let best = vals[0];
  for (let i = 1; i < vals.length; i++) {
    const c = compareValues(vals[i], best);
    if ((dir > 0 && c < 0) || (dir < 0 && c > 0)) best = vals[i];
  }
  return best;
}

/** A comparator for a MongoDB sort specification (stable when used with Array.prototype.sort). */
export function makeSortComparator(spec: Doc): (a: Doc, b: Doc) => number {
  const keys = Object.entries(spec).map(([k, d]) => {
    if (d !== 1 && d !== -1) {
      if (typeof d === 'object' && d !== null && '$meta' in d) {
        throw new MongoCommandError(115, `$meta sort is not supported by the embedded engine`);
      }
      throw new MongoCommandError(15974, `Illegal key in $sort specification: ${k}: ${JSON.stringify(d)}`);
    }
    return { k, d: d as number };
  });
  return (a, b) => {
    for (const { k, d } of keys) {
      const c = compareValues(sortKey(a, k, d), sortKey(b, k, d));
      if (c !== 0) return c * d;
    }
    return 0;
  };
}

const UNSUPPORTED_TYPES: Record<string, string> = {
  Decimal128: 'Decimal128 values are not supported by the embedded engine (their arithmetic and ordering cannot be evaluated faithfully); use real MongoDB',
  Code: 'JavaScript code values are not supported by the embedded engine',
  DBPointer: 'DBPointer values are not supported by the embedded engine',
};

/** Throws BadValue when a value holds a BSON type the engine cannot evaluate faithfully. */
export function assertSupportedTypes(v: unknown, depth = 0): void {
  if (v === null || typeof v !== 'object') return;
  if (depth > 180) throw new MongoCommandError(15, 'Document exceeds maximum nesting depth');
  if (Array.isArray(v)) {
    for (const e of v) assertSupportedTypes(e, depth + 1);
    return;
  }
  if (v instanceof Date || v instanceof RegExp) return;
  const t = bsonType(v);
  if (t !== undefined) {
    const msg = UNSUPPORTED_TYPES[t];
    if (msg) throw new MongoCommandError(2, msg);
    return;
  }
  for (const k in v as Doc) assertSupportedTypes((v as Doc)[k], depth + 1);
}

const TYPE_ALIASES: Record<string, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8, date: 9,
  null: 10, regex: 11, javascript: 13, int: 16, timestamp: 17, long: 18, decimal: 19, minKey: -1, maxKey: 127,
};

/** BSON type numbers a JS value can be, as MongoDB's `$type` sees them. */
function bsonTypeNumbers(v: unknown): number[] {
  if (v === null) return [10];
  if (v === undefined) return [6];
  switch (typeof v) {
    case 'number':
      // The serializer writes integral numbers within int32 as int32, every other number as double
      // (int64 is held as a bigint).
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0) ? [16] : [1];
    case 'string':
      return [2];
    case 'boolean':
      return [8];
    case 'bigint':
      return [18];
    default:
      break;
  }
  if (Array.isArray(v)) return [4];
  if (v instanceof Date) return [9];
  if (v instanceof RegExp) return [11];
  switch (bsonType(v as object)) {
    case 'ObjectId':
      return [7];
    case 'Binary':
      return [5];
    case 'Timestamp':
      return [17];
    case 'MinKey':
      return [-1];
    case 'MaxKey':
      return [127];
    case 'Decimal128':
      return [19];
    case 'Long':
      return [18];
    case 'Double':
      return [1];
    case 'Int32':
      return [16];
    case 'BSONRegExp':
      return [11];
    case 'Code':
      return [13];
    default:
      return [3];
  }
}

/** MongoDB `$type` semantics, including 'number' and array elements. */
export function matchesType(values: unknown[], spec: unknown): boolean {
  const wanted = (Array.isArray(spec) ? spec : [spec]).map((s) => {
    if (s === 'number') return 'number';
    if (typeof s === 'string') {
      const n = TYPE_ALIASES[s];
      if (n === undefined) throw new MongoCommandError(2, `Unknown type name alias: ${s}`);
      return n;
    }
    if (typeof s === 'number') return s;
    throw new MongoCommandError(14, `type must be represented as a number or a string`);
  });
  return values.some((v) =>
    wanted.some((w) => {
      const nums = bsonTypeNumbers(v);
      if (w === 'number') return nums.some((n) => n === 1 || n === 16 || n === 18 || n === 19);
      return nums.includes(w);
    }),
  );
}

/** Renders a value the way MongoDB prints it inside E11000 messages. */
export function formatKeyValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isNumericValue(v)) return String(numericOf(v));
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return '[ ' + v.map(formatKeyValue).join(', ') + ' ]';
  if (bsonType(v as object) === 'ObjectId') return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
  if (typeof v === 'object') {
    const e = Object.entries(v as Doc);
    return e.length === 0 ? '{}' : '{ ' + e.map(([k, x]) => `${k}: ${formatKeyValue(x)}`).join(', ') + ' }';
  }
  return String(v);
}
