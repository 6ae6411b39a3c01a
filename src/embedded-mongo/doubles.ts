/**
 * Keeping doubles apart from int32 in stored documents. The BSON decoder returns every int32 and
 * double as a JS number, and the serializer writes an integral number within int32 range as int32,
 * so a stored `1.0` would come back as int32 `1` and `$type: 'double'` could not be answered. The
 * engine therefore holds exactly those doubles (integral, within int32 range) as the driver's `Double`
 * class: this module finds them in raw BSON and wraps them in the decoded document.
 *
 * Only stored documents are wrapped (insert documents, update specifications, log records, clones):
 * filters and pipelines keep plain numbers, where a double and an int32 of the same value behave alike.
 */
import { BSON, Double } from 'bson';

type Doc = Record<string, unknown>;

/** A symbol-keyed property of a decoded wire document (kept by spreads): the integral doubles it holds, as key paths. */
export const INTEGRAL_DOUBLES = Symbol('integralDoubles');

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Whether a number will be written back as a double by the serializer anyway (no wrapper needed). */
const needsWrapper = (v: number): boolean => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX && !Object.is(v, -0);

/**
 * Key paths of the double elements of a BSON document whose value is integral within int32 range.
 * Walks the element structure without decoding values; names are decoded only for matches.
 */
export function integralDoublePaths(buf: Uint8Array): string[][] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: string[][] = [];
  const names: Array<[number, number]> = [];
  const name = ([s, e]: [number, number]) => Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
  const cstringEnd = (p: number): number => {
    while (p < buf.length && buf[p] !== 0) p++;
    return p;
  };
  // Returns false on a malformed or unknown element: the rest is then left as the decoder gave it.
  const walk = (start: number): boolean => {
    if (start + 5 > buf.length) return false;
    const end = start + view.getInt32(start, true) - 1;
    if (end >= buf.length || end < start + 4) return false;
    let p = start + 4;
    while (p < end) {
      const type = buf[p]!;
      const ns = p + 1;
      const ne = cstringEnd(ns);
      p = ne + 1;
      switch (type) {
        case 0x01: {
          const v = view.getFloat64(p, true);
          if (needsWrapper(v)) out.push([...names, [ns, ne] as [number, number]].map(name));
          p += 8;
          break;
        }
        case 0x02:
        case 0x0d:
        case 0x0e:
          p += 4 + view.getInt32(p, true);
          break;
        case 0x03:
        case 0x04: {
          names.push([ns, ne]);
          const ok = walk(p);
          names.pop();
          if (!ok) return false;
          p += view.getInt32(p, true);
          break;
        }
        case 0x05:
          p += 5 + view.getInt32(p, true);
          break;
        case 0x06:
        case 0x0a:
        case 0x7f:
        case 0xff:
          break;
        case 0x07:
          p += 12;
          break;
        case 0x08:
          p += 1;
          break;
        case 0x09:
        case 0x11:
        case 0x12:
          p += 8;
          break;
        case 0x10:
          p += 4;
          break;
        case 0x13:
          p += 16;
          break;
        case 0x0b:
          p = cstringEnd(cstringEnd(p) + 1) + 1;
          break;
        case 0x0c:
          p += 4 + view.getInt32(p, true) + 12;
          break;
        case 0x0f:
          p += view.getInt32(p, true);
          break;
        default:
          return false;
      }
    }
    return true;
  };
  walk(0);
  return out;
}

const isContainer = (v: unknown): v is Doc | unknown[] =>
  v !== null && typeof v === 'object' && (Array.isArray(v) || (v as { _bsontype?: string })._bsontype === undefined) && !(v instanceof Date) && !(v instanceof RegExp);

/** Wraps the numbers at the given key paths (relative to `root`) as `Double`. Paths that lead elsewhere are skipped. */
export function wrapDoubles(root: unknown, paths: string[][]): void {
  for (const path of paths) {
    let cur: unknown = root;
    for (let i = 0; i < path.length - 1 && isContainer(cur); i++) cur = (cur as Doc)[path[i]!];
    if (!isContainer(cur)) continue;
    const last = path[path.length - 1]!;
    const v = (cur as Doc)[last];
    if (typeof v === 'number' && needsWrapper(v)) (cur as Doc)[last] = new Double(v);
  }
}

/** The paths of a decoded wire document under `prefix`, relative to it. */
export function doublesUnder(doc: unknown, prefix: string[]): string[][] {
  const all = doc && typeof doc === 'object' ? ((doc as { [INTEGRAL_DOUBLES]?: string[][] })[INTEGRAL_DOUBLES] ?? []) : [];
  return all.filter((p) => p.length > prefix.length && prefix.every((k, i) => p[i] === k)).map((p) => p.slice(prefix.length));
}

const DECODE = { promoteValues: true, promoteBuffers: false, bsonRegExp: false, useBigInt64: true } as const;

/** Decodes a stored document (log record, clone), keeping integral doubles as `Double`. */
export function decodeStored<T>(bytes: Uint8Array, options: BSON.DeserializeOptions = DECODE): T {
  const doc = BSON.deserialize(bytes, options) as T;
  const paths = integralDoublePaths(bytes);
  if (paths.length > 0) wrapDoubles(doc, paths);
  return doc;
}

export const isDoubleWrapper = (v: unknown): v is Double => v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'Double';

/**
 * The document with every `Double` as a plain number, for mingo (which compares a `Double` with a
 * number by class name). Returns the same object when there is none.
 */
export function unwrapDoubles<T>(v: T, depth = 0): T {
  if (isDoubleWrapper(v)) return v.value as T;
  if (!isContainer(v) || depth > 180) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    v.forEach((e, i) => {
      const u = unwrapDoubles(e, depth + 1);
      if (u !== e) (out ??= v.slice())[i] = u;
    });
    return (out ?? v) as T;
  }
  let out: Doc | null = null;
  for (const k of Object.keys(v)) {
    const e = (v as Doc)[k];
    const u = unwrapDoubles(e, depth + 1);
    if (u !== e) {
      out ??= Object.defineProperties({}, Object.getOwnPropertyDescriptors(v)) as Doc;
      out[k] = u;
    }
  }
  return (out ?? v) as T;
}

/** After mingo computed `next` from `prev`: a field that kept its number keeps its `Double` type too. */
export function rewrapUnchanged(prev: unknown, next: unknown, depth = 0): void {
  if (!isContainer(prev) || !isContainer(next) || depth > 180) return;
  for (const k of Object.keys(prev)) {
    const a = (prev as Doc)[k];
    const b = (next as Doc)[k];
    if (isDoubleWrapper(a) && typeof b === 'number' && b === a.value) (next as Doc)[k] = a;
    else rewrapUnchanged(a, b, depth + 1);
  }
}
