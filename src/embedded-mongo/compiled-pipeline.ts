/**
 * Aggregation stages compiled to plain JavaScript closures, for the shapes reports use: `$match`,
 * `$project` (inclusion plus computed fields), `$group`, `$sort`, `$skip`, `$limit`, and the
 * expression operators listed in `OPERATORS`. mingo interprets an expression tree per document, which
 * costs ~100 µs for a wide `$project`; a compiled closure tree costs a few µs.
 *
 * Anything outside that subset makes `compilePrefix` stop, and the rest of the pipeline runs in mingo
 * as before, so the compiled path only ever answers shapes it implements. Semantics follow MongoDB's
 * server (not mingo) where they differ: a missing value sorts below null and is not equal to it, field
 * paths through arrays skip non-documents, `$setUnion` returns its set in sorted order, `$map` turns a
 * missing result into null, a `$group` `_id` sub-field that is missing is left out.
 */
import { ObjectId } from 'bson';
import { MongoCommandError } from './errors.js';
import { compileFilter } from './commands/query.js';
import { compareValues, makeSortComparator, valueKey, type Doc } from './types-bridge.js';
import { isInt32, sumStep, toNumeric, type Numeric } from './int64.js';

/** Thrown at compile time for a shape the compiler does not implement (the caller falls back to mingo). */
class Unsupported extends Error {}
const unsupported = (what: string): never => {
  throw new Unsupported(what);
};

/** Variables live in one frame per evaluation, each `$let`/`$filter`/`$map` variable in a slot of its own. */
type Vars = unknown[];
/** Compile-time scope: variable names visible here, and the frame size so far. */
interface Scope {
  names: Map<string, number>;
  size: { n: number };
  /**
   * Set when the expression reads the output of a fused `$project` instead of a document: the
   * "document" is then an array of the projected fields' values, at these indexes.
   */
  fields?: Map<string, number>;
}
export const newScope = (fields?: Map<string, number>): Scope => ({ names: new Map(), size: { n: 0 }, fields });
const withVar = (sc: Scope, name: string): [Scope, number] => {
  const slot = sc.size.n++;
  const names = new Map(sc.names);
  names.set(name, slot);
  return [{ names, size: sc.size, fields: sc.fields }, slot];
};
type Expr = ((doc: Doc, vars: Vars) => unknown) & { constant?: true; value?: unknown };

const constant = (value: unknown): Expr => Object.assign(() => value, { constant: true as const, value });
/** A per-document step (undefined = dropped), fused with its neighbours so nothing is materialised between them. */
type Each = (doc: Doc) => Doc | undefined;
/** A stage is per-document (`each`) or needs all its input (`all`), which it reads through the pending steps. */
type Stage = { each: Each; all?: undefined } | { all: (docs: Doc[], pre: Each | null) => Doc[]; each?: undefined };

const materialise = (docs: Doc[], pre: Each | null): Doc[] => {
  if (!pre) return docs;
  const out: Doc[] = [];
  for (const d of docs) {
    const r = pre(d);
    if (r !== undefined) out.push(r);
  }
  return out;
};

const isBson = (v: unknown): boolean => v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype !== undefined;
const isDocument = (v: unknown): v is Doc =>
  v !== null &&
  typeof v === 'object' &&
  ((v as object).constructor === Object || (!Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && !isBson(v)));
const nullish = (v: unknown): boolean => v === null || v === undefined;

/** MongoDB's Value::compare: missing (and undefined) below null, null below everything but MinKey. */
const isMinKey = (v: unknown): boolean => isBson(v) && (v as { _bsontype: string })._bsontype === 'MinKey';

function cmp(a: unknown, b: unknown): number {
  // Fast paths for the common cases; compareValues has the general rules. The same value (NaN is
  // not === itself, so it takes the general path) is equal to itself.
  if (a === b) return 0;
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'string') return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    if (ta === 'number' && a === a && b === b) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    if (ta === 'boolean') return a ? 1 : -1; // unequal booleans: true > false
    if (a instanceof Date && b instanceof Date) {
      const x = a.getTime();
      const y = b.getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
  // Missing (and undefined) sorts below everything but MinKey, null just above them.
  if (a === undefined) return isMinKey(b) ? 1 : -1;
  if (b === undefined) return isMinKey(a) ? -1 : 1;
  if (a === null) return isMinKey(b) ? 1 : -1;
  if (b === null) return isMinKey(a) ? -1 : 1;
  return compareValues(a, b);
}

/** Aggregation truthiness: false, null, missing, undefined and numeric zero are false. */
function truthy(v: unknown): boolean {
  if (v === false || v === null || v === undefined) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  const t = isBson(v) ? (v as { _bsontype: string })._bsontype : '';
  if (t === 'Int32' || t === 'Double' || t === 'Long') return Number((v as { valueOf(): unknown }).valueOf()) !== 0;
  return true;
}

/**
 * The rest of a field path (`.b.c` of `$a.b.c`) from the value at `$a`, which may be an array (then
 * mapped over its document elements, as ExpressionFieldPath does).
 */
function pathFrom(parts: string[]): (v: unknown) => unknown {
  if (parts.length === 1) {
    const k = parts[0]!;
    const general = fieldPath(['', k]);
    return (v) => (isDocument(v) ? (Object.hasOwn(v, k) ? v[k] : undefined) : Array.isArray(v) ? general({ '': v }) : undefined);
  }
  const general = fieldPath(['', ...parts]);
  return (v) => (v === undefined ? undefined : general({ '': v }));
}

/** `$a.b.c` evaluated the way ExpressionFieldPath does: arrays map over their document elements. */
function fieldPath(parts: string[]): (root: unknown) => unknown {
  const walk = (v: unknown, i: number): unknown => {
    for (; i < parts.length; i++) {
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (const e of v) {
          if (!isDocument(e)) continue;
          const r = walk(e, i);
          if (r !== undefined) out.push(r);
        }
        return out;
      }
      if (!isDocument(v)) return undefined;
      v = Object.hasOwn(v, parts[i]!) ? v[parts[i]!] : undefined;
    }
    return v;
  };
  if (parts.length === 1) {
    const k = parts[0]!;
    return (root) => (isDocument(root) && Object.hasOwn(root, k) ? root[k] : undefined);
  }
  if (parts.length === 2) {
    const [k1, k2] = parts as [string, string];
    return (root) => {
      if (!isDocument(root) || !Object.hasOwn(root, k1)) return undefined;
      const v = root[k1];
      if (isDocument(v)) return Object.hasOwn(v, k2) ? v[k2] : undefined;
      return Array.isArray(v) ? walk(v, 1) : undefined;
    };
  }
  return (root) => walk(root, 0);
}

const typeName = (v: unknown): string => {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'number') return isInt32(v) ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (isBson(v)) {
    const t = (v as { _bsontype: string })._bsontype;
    return BSON_TYPE_ALIASES[t] ?? t.toLowerCase();
  }
  if (v instanceof RegExp) return 'regex';
  return 'object';
};

/** `$type` names of the driver's BSON classes (an integral double is held as `Double`, see doubles.ts). */
const BSON_TYPE_ALIASES: Record<string, string> = {
  Double: 'double', Int32: 'int', Long: 'long', ObjectId: 'objectId', Binary: 'binData', Timestamp: 'timestamp',
  Decimal128: 'decimal', MinKey: 'minKey', MaxKey: 'maxKey', BSONRegExp: 'regex', Code: 'javascript', DBRef: 'object',
};

const args = (spec: unknown, n?: number, op = ''): unknown[] => {
  const a = Array.isArray(spec) ? spec : [spec];
  if (n !== undefined && a.length !== n) {
    throw new MongoCommandError(16020, `Expression ${op} takes exactly ${n} arguments. ${a.length} were passed in.`);
  }
  return a;
};

const DAY_MS = 86_400_000;

const VAR_NAME = /^[a-z_][A-Za-z0-9_]*$/;

/** Compiles one aggregation expression; `Unsupported` for anything outside the subset. */
export function compileExpression(e: unknown, sc: Scope): Expr {
  if (typeof e === 'string') {
    if (e.startsWith('$$')) {
      const [name, ...rest] = e.slice(2).split('.');
      if (name === 'CURRENT' || name === 'ROOT') {
        if (sc.fields) return unsupported('$$ROOT of a fused $project');
        if (rest.length === 0) return (doc) => doc;
        const get = fieldPath(rest);
        return (doc) => get(doc);
      }
      const slot = name === undefined ? undefined : sc.names.get(name);
      if (slot === undefined) return unsupported(`variable ${e}`);
      if (rest.length === 0) return (_d, vars) => vars[slot];
      const get = fieldPath(rest);
      if (rest.length === 1) {
        // `$$a.b` on a document (the common case) without a second call.
        const k = rest[0]!;
        return (_d, vars) => {
          const v = vars[slot];
          return isDocument(v) ? (Object.hasOwn(v, k) ? v[k] : undefined) : get(v);
        };
      }
      return (_d, vars) => get(vars[slot]);
    }
    if (e.startsWith('$')) {
      const parts = e.slice(1).split('.');
      if (parts.some((p) => p === '' || p.startsWith('$'))) unsupported(`field path ${e}`);
      if (sc.fields) {
        // Reading a fused $project's output: a field it does not output is missing.
        const i = sc.fields.get(parts[0]!);
        if (i === undefined) return constant(undefined);
        if (parts.length === 1) return (row) => (row as unknown as unknown[])[i];
        const rest = pathFrom(parts.slice(1));
        return (row) => rest((row as unknown as unknown[])[i]);
      }
      const get = fieldPath(parts);
      return (doc) => get(doc);
    }
    return constant(e);
  }
  if (Array.isArray(e)) {
    const items = e.map((x) => compileExpression(x, sc));
    if (items.every((f) => f.constant)) return constant(items.map((f) => f.value));
    return (doc, vars) => items.map((f) => f(doc, vars));
  }
  if (!isDocument(e)) return constant(e); // numbers, booleans, null, dates, ObjectIds...
  const keys = Object.keys(e);
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const op = keys[0]!;
    const compile = Object.prototype.hasOwnProperty.call(OPERATORS, op) ? OPERATORS[op] : undefined;
    if (!compile) return unsupported(`operator ${op}`);
    return compile(e[op], op, sc);
  }
  // An expression object: each field evaluated; missing values leave the field out.
  const fields = keys.map((k) => {
    if (k.startsWith('$') || k.includes('.')) unsupported(`field name ${k}`);
    return [k, compileExpression(e[k], sc)] as const;
  });
  return (doc, vars) => {
    const out: Doc = {};
    for (const [k, f] of fields) {
      const v = f(doc, vars);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
}

/** `{$ifNull: [x, null]}`'s x, else undefined. */
const ifNullOfNull = (e: unknown): unknown => {
  if (!isDocument(e) || Object.keys(e).length !== 1 || !Array.isArray(e.$ifNull) || e.$ifNull.length !== 2 || e.$ifNull[1] !== null) return undefined;
  return e.$ifNull[0];
};

const comparison = (op: '$eq' | '$ne' | '$gt' | '$gte' | '$lt' | '$lte') => (spec: unknown, _op: string, sc: Scope): Expr => {
  const parts = args(spec, 2, op);
  // `{$ne: [{$ifNull: [x, null]}, null]}` (and `$eq`): whether x is null or missing, without comparing.
  if ((op === '$ne' || op === '$eq') && parts[1] === null && ifNullOfNull(parts[0]) !== undefined) {
    const x = compileExpression(ifNullOfNull(parts[0]), sc);
    return op === '$ne' ? (doc, vars) => !nullish(x(doc, vars)) : (doc, vars) => nullish(x(doc, vars));
  }
  const [a, b] = parts.map((x) => compileExpression(x, sc)) as [Expr, Expr];
  switch (op) {
    case '$eq':
      return (doc, vars) => cmp(a(doc, vars), b(doc, vars)) === 0;
    case '$ne':
      return (doc, vars) => cmp(a(doc, vars), b(doc, vars)) !== 0;
    case '$gt':
      return (doc, vars) => cmp(a(doc, vars), b(doc, vars)) > 0;
    case '$gte':
      return (doc, vars) => cmp(a(doc, vars), b(doc, vars)) >= 0;
    case '$lt':
      return (doc, vars) => cmp(a(doc, vars), b(doc, vars)) < 0;
    case '$lte':
      return (doc, vars) => cmp(a(doc, vars), b(doc, vars)) <= 0;
  }
};

/** `$dateToString` with a constant format of the specifiers below and a constant UTC offset. */
function compileDateToString(spec: unknown, sc: Scope): Expr {
  if (!isDocument(spec)) return unsupported('$dateToString form');
  for (const k of Object.keys(spec)) if (!['format', 'date', 'timezone', 'onNull'].includes(k)) unsupported(`$dateToString.${k}`);
  const format = spec.format;
  if (typeof format !== 'string' || /%[^YmdHMSL%]/.test(format)) return unsupported('$dateToString format');
  const tz = spec.timezone;
  let offsetMs = 0;
  if (tz !== undefined) {
    if (typeof tz !== 'string') return unsupported('$dateToString timezone');
    const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
    if (m) offsetMs = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
    else if (tz !== 'UTC' && tz !== 'GMT' && tz !== 'Z') return unsupported('named time zone');
  }
  const date = compileExpression(spec.date, sc);
  const onNull = spec.onNull === undefined ? null : compileExpression(spec.onNull, sc);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const SPECIFIERS: Record<string, (l: Date) => string> = {
    Y: (l) => pad(l.getUTCFullYear(), 4),
    m: (l) => pad(l.getUTCMonth() + 1, 2),
    d: (l) => pad(l.getUTCDate(), 2),
    H: (l) => pad(l.getUTCHours(), 2),
    M: (l) => pad(l.getUTCMinutes(), 2),
    S: (l) => pad(l.getUTCSeconds(), 2),
    L: (l) => pad(l.getUTCMilliseconds(), 3),
  };
  const parts: Array<string | ((l: Date) => string)> = [];
  for (const piece of format.split(/(%[YmdHMSL%])/)) {
    if (piece === '') continue;
    if (piece === '%%') parts.push('%');
    else if (/^%[YmdHMSL]$/.test(piece)) parts.push(SPECIFIERS[piece[1]!]!);
    else parts.push(piece);
  }
  // A format of date parts only (%Y %m %d) gives the same string for a whole local day: cached per day.
  const byDay = /%[HMSL]/.test(format) ? null : new Map<number, string>();
  const render = (local: number): string => {
    const l = new Date(local);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(l);
    return out;
  };
  return (doc, vars) => {
    const d = date(doc, vars);
    if (nullish(d)) return onNull ? onNull(doc, vars) : null;
    let t: number;
    if (d instanceof Date) t = d.getTime();
    else if (d instanceof ObjectId) t = d.getTimestamp().getTime();
    else throw new MongoCommandError(16006, `can't convert from BSON type ${typeName(d)} to Date`);
    const local = t + offsetMs;
    if (!byDay || local !== local) return render(local);
    const day = Math.floor(local / DAY_MS);
    let s = byDay.get(day);
    if (s === undefined) {
      if (byDay.size >= 100_000) byDay.clear();
      byDay.set(day, (s = render(day * DAY_MS)));
    }
    return s;
  };
}

/** `$filter` / `$map` share the input and variable handling. */
function compileArrayOp(spec: unknown, op: '$filter' | '$map', sc: Scope, countOnly = false): Expr {
  if (!isDocument(spec)) return unsupported(`${op} form`);
  const allowed = op === '$filter' ? ['input', 'as', 'cond'] : ['input', 'as', 'in'];
  for (const k of Object.keys(spec)) if (!allowed.includes(k)) unsupported(`${op}.${k}`);
  const as = spec.as === undefined ? 'this' : spec.as;
  if (typeof as !== 'string' || !VAR_NAME.test(as)) return unsupported(`${op} variable`);
  const input = compileExpression(spec.input, sc);
  const [inner, slot] = withVar(sc, as);
  const body = compileExpression(op === '$filter' ? spec.cond : spec.in, inner);
  return (doc, vars) => {
    const arr = input(doc, vars);
    if (nullish(arr)) return null;
    if (!Array.isArray(arr)) {
      throw op === '$filter'
        ? new MongoCommandError(28651, `input to $filter must be an array not ${typeName(arr)}`)
        : new MongoCommandError(16883, `input to $map must be an array not ${typeName(arr)}`);
    }
    if (countOnly) {
      let n = 0;
      for (const el of arr) {
        vars[slot] = el;
        if (truthy(body(doc, vars))) n++;
      }
      return n;
    }
    const out: unknown[] = [];
    for (const el of arr) {
      vars[slot] = el;
      const r = body(doc, vars);
      if (op === '$filter') {
        if (truthy(r)) out.push(el);
      } else out.push(r === undefined ? null : r);
    }
    return out;
  };
}

const OPERATORS: Record<string, (spec: unknown, op: string, sc: Scope) => Expr> = {
  $literal: (spec) => constant(spec),
  $ifNull: (spec, op, sc) => {
    const a = args(spec).map((x) => compileExpression(x, sc));
    if (a.length < 2) throw new MongoCommandError(1257300, `${op} needs at least two arguments, had: ${a.length}`);
    return (doc, vars) => {
      for (let i = 0; i < a.length - 1; i++) {
        const v = a[i]!(doc, vars);
        if (!nullish(v)) return v;
      }
      return a[a.length - 1]!(doc, vars);
    };
  },
  $cond: (spec, op, sc) => {
    let parts: unknown[];
    if (Array.isArray(spec)) parts = args(spec, 3, op);
    else if (isDocument(spec) && Object.keys(spec).every((k) => k === 'if' || k === 'then' || k === 'else') && 'if' in spec && 'then' in spec && 'else' in spec) {
      parts = [spec.if, spec.then, spec.else];
    } else return unsupported('$cond form');
    const [c, t, f] = parts.map((x) => compileExpression(x, sc)) as [Expr, Expr, Expr];
    return (doc, vars) => (truthy(c(doc, vars)) ? t(doc, vars) : f(doc, vars));
  },
  $and: (spec, _op, sc) => {
    const a = args(spec).map((x) => compileExpression(x, sc));
    return (doc, vars) => {
      for (let i = 0; i < a.length; i++) if (!truthy(a[i]!(doc, vars))) return false;
      return true;
    };
  },
  $or: (spec, _op, sc) => {
    const a = args(spec).map((x) => compileExpression(x, sc));
    return (doc, vars) => {
      for (let i = 0; i < a.length; i++) if (truthy(a[i]!(doc, vars))) return true;
      return false;
    };
  },
  $not: (spec, op, sc) => {
    const [a] = args(spec, 1, op).map((x) => compileExpression(x, sc)) as [Expr];
    return (doc, vars) => !truthy(a(doc, vars));
  },
  $eq: comparison('$eq'),
  $ne: comparison('$ne'),
  $gt: comparison('$gt'),
  $gte: comparison('$gte'),
  $lt: comparison('$lt'),
  $lte: comparison('$lte'),
  $in: (spec, op, sc) => {
    const [x, arr] = args(spec, 2, op).map((x) => compileExpression(x, sc)) as [Expr, Expr];
    return (doc, vars) => {
      const list = arr(doc, vars);
      if (!Array.isArray(list)) throw new MongoCommandError(40081, `$in requires an array as a second argument, found: ${typeName(list)}`);
      const v = x(doc, vars);
      for (let i = 0; i < list.length; i++) if (cmp(v, list[i]) === 0) return true;
      return false;
    };
  },
  $type: (spec, op, sc) => {
    const [arg] = args(spec, 1, op);
    const a = compileExpression(arg, sc);
    return (doc, vars) => typeName(a(doc, vars));
  },
  $size: (spec, op, sc) => {
    const [arg] = args(spec, 1, op);
    const sizeError = (v: unknown) => new MongoCommandError(17124, `The argument to $size must be an array. Type of argument is ${typeName(v)}`);
    // $size of a $filter counts the matches without building the filtered array.
    if (isDocument(arg) && Object.keys(arg).length === 1 && '$filter' in arg) {
      const count = compileArrayOp(arg.$filter, '$filter', sc, true);
      return (doc, vars) => {
        const n = count(doc, vars);
        if (typeof n !== 'number') throw sizeError(n);
        return n;
      };
    }
    const a = compileExpression(arg, sc);
    return (doc, vars) => {
      const v = a(doc, vars);
      if (!Array.isArray(v)) throw sizeError(v);
      return v.length;
    };
  },

  $filter: (spec, _op, sc) => compileArrayOp(spec, '$filter', sc),
  $map: (spec, _op, sc) => compileArrayOp(spec, '$map', sc),
  $setUnion: (spec, _op, sc) => {
    const a = args(spec).map((x) => compileExpression(x, sc));
    return (doc, vars) => {
      // One array of strings (the common case): sorted in the binary order MongoDB compares strings
      // in, duplicates dropped.
      if (a.length === 1) {
        const v = a[0]!(doc, vars);
        if (Array.isArray(v)) {
          let strings = true;
          for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') strings = false;
          if (strings) {
            if (v.length < 2) return v.slice();
            const sorted = (v as string[]).slice().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
            let n = 1;
            for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
            sorted.length = n;
            return sorted;
          }
        }
      }
      const seen = new Map<string, unknown>();
      for (const f of a) {
        const v = f(doc, vars);
        if (nullish(v)) return null;
        if (!Array.isArray(v)) throw new MongoCommandError(17043, `All operands of $setUnion must be arrays. One argument is of type: ${typeName(v)}`);
        for (const el of v) {
          const k = valueKey(el);
          if (!seen.has(k)) seen.set(k, el);
        }
      }
      return [...seen.values()].sort(cmp);
    };
  },
  $let: (spec, _op, sc) => {
    if (!isDocument(spec) || !isDocument(spec.vars) || Object.keys(spec).some((k) => k !== 'vars' && k !== 'in')) return unsupported('$let form');
    // Every definition sees the outer scope only, as in MongoDB.
    let inner = sc;
    const defs = Object.entries(spec.vars).map(([k, v]) => {
      if (!VAR_NAME.test(k)) unsupported(`$let variable ${k}`);
      const f = compileExpression(v, sc);
      let slot: number;
      [inner, slot] = withVar(inner, k);
      return [slot, f] as const;
    });
    const body = compileExpression(spec.in, inner);
    const values: unknown[] = new Array(defs.length);
    return (doc, vars) => {
      for (let i = 0; i < defs.length; i++) values[i] = defs[i]![1](doc, vars);
      for (let i = 0; i < defs.length; i++) vars[defs[i]![0]] = values[i];
      return body(doc, vars);
    };
  },
  $switch: (spec, _op, sc) => {
    if (!isDocument(spec) || !Array.isArray(spec.branches) || Object.keys(spec).some((k) => k !== 'branches' && k !== 'default')) {
      return unsupported('$switch form');
    }
    const branches = spec.branches.map((b) => {
      if (!isDocument(b) || !('case' in b) || !('then' in b) || Object.keys(b).length !== 2) return unsupported('$switch branch');
      return [compileExpression(b.case, sc), compileExpression(b.then, sc)] as const;
    });
    const dflt = spec.default === undefined ? null : compileExpression(spec.default, sc);
    return (doc, vars) => {
      for (const [c, t] of branches) if (truthy(c(doc, vars))) return t(doc, vars);
      if (!dflt) throw new MongoCommandError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
      return dflt(doc, vars);
    };
  },
  $dateToString: (spec, _op, sc) => compileDateToString(spec, sc),
};

// ---------- stages ----------

/** A `$project` as the values of its output fields, for a `$group` that reads them without a document. */
interface ProjectedFields {
  fields: Map<string, number>;
  width: number;
  fill: (doc: Doc, row: unknown[]) => void;
}

function compileProject(spec: unknown, orderless = false): Stage & { projected: ProjectedFields } {
  if (!isDocument(spec) || Object.keys(spec).length === 0) return unsupported('$project form');
  let includeId = true;
  const sc = newScope();
  const included = new Set<string>();
  const computed: Array<[string, Expr]> = [];
  for (const [k, v] of Object.entries(spec)) {
    if (k.includes('.') || k.startsWith('$')) return unsupported(`$project field ${k}`);
    if (k === '_id' && (v === 0 || v === false)) {
      includeId = false;
      continue;
    }
    if (v === 1 || v === true) included.add(k);
    else if (typeof v === 'string' || isDocument(v)) computed.push([k, compileExpression(v, sc)]);
    else return unsupported(`$project value for ${k}`);
  }
  // Only `_id: 0` left is an exclusion projection, which this compiler leaves to mingo.
  if (included.size === 0 && computed.length === 0) return unsupported('exclusion $project');
  if (includeId && !computed.some(([k]) => k === '_id')) included.add('_id');
  const frame: Vars = new Array(sc.size.n);
  const includedList = [...included];
  const fields = new Map<string, number>();
  for (const k of includedList) fields.set(k, fields.size);
  const computedExprs = computed.map(([k, f]) => {
    fields.set(k, fields.size);
    return f;
  });
  const nIncluded = includedList.length;
  const projected: ProjectedFields = {
    fields,
    width: fields.size,
    fill: (doc, row) => {
      for (let i = 0; i < nIncluded; i++) {
        const k = includedList[i]!;
        row[i] = Object.hasOwn(doc, k) ? doc[k] : undefined;
      }
      for (let i = 0; i < computedExprs.length; i++) row[nIncluded + i] = computedExprs[i]!(doc, frame);
    },
  };
  return {
    projected,
    each: (doc) => {
      const out: Doc = {};
      // Included fields keep the input's order; computed ones follow in the specification's order.
      // Feeding a $group that never sees whole documents, the order is irrelevant: no pass over every field.
      if (orderless) {
        for (const k of includedList) if (Object.hasOwn(doc, k) && doc[k] !== undefined) out[k] = doc[k];
      } else for (const k in doc) if (included.has(k) && doc[k] !== undefined) out[k] = doc[k];
      for (const [k, f] of computed) {
        const v = f(doc, frame);
        if (v !== undefined) out[k] = v;
      }
      return out;
    },
  };
}

interface Accumulator {
  init(): unknown;
  step(state: unknown, v: unknown): unknown;
  result(state: unknown): unknown;
}

const isNumeric = (v: unknown): boolean => {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const t = isBson(v) ? (v as { _bsontype: string })._bsontype : '';
  return t === 'Int32' || t === 'Double' || t === 'Long';
};

// Sums follow MongoDB's result types (int32 overflowing into int64, int64 into double): see int64.ts.
const ACCUMULATORS: Record<string, Accumulator> = {
  $sum: { init: () => 0, step: (s, v) => (isNumeric(v) ? sumStep(s as Numeric, toNumeric(v)!) : s), result: (s) => s },
  $avg: {
    init: () => [0, 0],
    step: (s, v) => {
      const a = s as [Numeric, number];
      if (isNumeric(v)) {
        a[0] = sumStep(a[0], toNumeric(v)!);
        a[1]++;
      }
      return a;
    },
    result: (s) => ((s as [Numeric, number])[1] === 0 ? null : Number((s as [Numeric, number])[0]) / (s as [Numeric, number])[1]),
  },
  $max: { init: () => undefined, step: (s, v) => (nullish(v) ? s : s === undefined || cmp(v, s) > 0 ? v : s), result: (s) => (s === undefined ? null : s) },
  $min: { init: () => undefined, step: (s, v) => (nullish(v) ? s : s === undefined || cmp(v, s) < 0 ? v : s), result: (s) => (s === undefined ? null : s) },
  $push: {
    init: () => [],
    step: (s, v) => {
      if (v !== undefined) (s as unknown[]).push(v);
      return s;
    },
    result: (s) => s,
  },
};

const FIRST = Symbol('first');

/**
 * `$group`; with `input`, fused with the `$project` before it: its expressions read the projected
 * values from an array filled per document, and no projected document is built.
 */
function compileGroup(spec: unknown, input?: ProjectedFields): Stage {
  if (!isDocument(spec) || !('_id' in spec)) throw new MongoCommandError(15955, "a group specification must include an _id");
  // An object _id keeps a missing sub-field out of the key document (and apart from null).
  const idSpec = spec._id;
  const idFields = isDocument(idSpec) && Object.keys(idSpec).length > 0 && !Object.keys(idSpec)[0]!.startsWith('$') ? Object.keys(idSpec) : null;
  const sc = newScope(input?.fields);
  const idExpr = compileExpression(idSpec, sc);
  // An object _id is evaluated field by field: the key is built from the values, and the _id
  // document only for a new group.
  const idParts = idFields ? idFields.map((f) => compileExpression((idSpec as Doc)[f], sc)) : null;
  const idValues: unknown[] = idFields ? new Array(idFields.length) : [];
  const accs: Array<{ name: string; acc: Accumulator | 'first' | 'last' | 'count'; expr: Expr }> = [];
  for (const [name, a] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (name.includes('.')) throw new MongoCommandError(40235, `The field name '${name}' cannot contain '.'`);
    if (!isDocument(a) || Object.keys(a).length !== 1) return unsupported(`accumulator ${name}`);
    const op = Object.keys(a)[0]!;
    if (op === '$count') {
      if (!isDocument(a.$count) || Object.keys(a.$count).length !== 0) return unsupported('$count argument');
      accs.push({ name, acc: 'count', expr: () => undefined });
      continue;
    }
    const expr = compileExpression(a[op], sc);
    if (op === '$first' || op === '$last') accs.push({ name, acc: op === '$first' ? 'first' : 'last', expr });
    else if (Object.prototype.hasOwnProperty.call(ACCUMULATORS, op)) accs.push({ name, acc: ACCUMULATORS[op]!, expr });
    else return unsupported(`accumulator ${op}`);
  }
  // One step per accumulator, specialised: counting and summing numbers need no generic call.
  const steps = accs.map(({ acc, expr }, i): ((states: unknown[], doc: Doc, frame: Vars) => void) => {
    if (acc === 'count') return (states) => void (states[i] = (states[i] as number) + 1);
    if (acc === 'first') return (states, doc, frame) => void (states[i] === FIRST && (states[i] = expr(doc, frame)));
    if (acc === 'last') return (states, doc, frame) => void (states[i] = expr(doc, frame));
    if (acc === ACCUMULATORS.$sum) {
      if (expr.constant) {
        if (!isNumeric(expr.value)) return () => {}; // a non-numeric constant adds nothing
        const c = toNumeric(expr.value)!;
        return (states) => void (states[i] = sumStep(states[i] as Numeric, c));
      }
      return (states, doc, frame) => {
        const v = expr(doc, frame);
        if (isNumeric(v)) states[i] = sumStep(states[i] as Numeric, toNumeric(v)!);
      };
    }
    return (states, doc, frame) => void (states[i] = acc.step(states[i], expr(doc, frame)));
  });
  type Group = { id: unknown; states: unknown[] };
  const newGroup = (id: unknown): Group => ({
    id: id === undefined ? null : id,
    states: accs.map(({ acc }) => (acc === 'count' ? 0 : acc === 'first' || acc === 'last' ? FIRST : acc.init())),
  });
  return { all: (docs, pre) => {
    const groups = new Map<string, Group>();
    // An object _id's groups live in a tree of Maps, one level per sub-field (see `keyNode`): no key string per document.
    const tree: KeyNode = new Map();
    const order: Group[] = [];
    const frame: Vars = new Array(sc.size.n);
    const row: unknown[] | null = input ? new Array(input.width) : null;
    for (const original of docs) {
      const d = pre ? pre(original) : original;
      if (d === undefined) continue;
      let doc = d;
      if (row) {
        input!.fill(d, row);
        doc = row as unknown as Doc;
      }
      let g: Group | undefined;
      if (idParts) {
        let node = tree;
        for (let i = 0; i < idParts.length; i++) node = keyNode(node, (idValues[i] = idParts[i]!(doc, frame)));
        g = node.get(GROUP) as Group | undefined;
        if (!g) {
          const idDoc: Doc = {};
          for (let i = 0; i < idFields!.length; i++) if (idValues[i] !== undefined) idDoc[idFields![i]!] = idValues[i];
          node.set(GROUP, (g = newGroup(idDoc)));
          order.push(g);
        }
      } else {
        const id = idExpr(doc, frame);
        const key = valueKey(id);
        g = groups.get(key);
        if (!g) {
          groups.set(key, (g = newGroup(id)));
          order.push(g);
        }
      }
      for (let i = 0; i < steps.length; i++) steps[i]!(g.states, doc, frame);
    }
    const out: Doc[] = [];
    for (const g of order) {
      const row: Doc = { _id: g.id };
      accs.forEach(({ name, acc }, i) => {
        const s = g.states[i];
        if (acc === 'count') row[name] = s;
        else if (acc === 'first' || acc === 'last') row[name] = s === FIRST || s === undefined ? null : s;
        else row[name] = acc.result(s);
      });
      out.push(row);
    }
    return out;
  } };
}

type KeyNode = Map<unknown, unknown>;
const MISSING = Symbol('missing');
const NULL = Symbol('null');
const STRINGS = Symbol('array of strings');
const OTHER = Symbol('other value');
const GROUP = Symbol('group');

const child = (node: KeyNode, k: unknown): KeyNode => {
  let c = node.get(k) as KeyNode | undefined;
  if (!c) node.set(k, (c = new Map()));
  return c;
};

/**
 * The tree node one `_id` sub-field's value leads to. Strings and booleans are Map keys themselves
 * (a string keeps its hash, so no key is built per document); missing and null have keys of their
 * own (a missing sub-field is a different group from null); an array of strings is its length, then
 * its elements; any other value is its `valueKey` under a separate branch, so it never meets a string.
 */
function keyNode(node: KeyNode, v: unknown): KeyNode {
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return child(node, v);
  if (v === undefined) return child(node, MISSING);
  if (v === null) return child(node, NULL);
  if (Array.isArray(v)) {
    let strings = true;
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') strings = false;
    if (strings) {
      let n = child(child(node, STRINGS), v.length);
      for (let i = 0; i < v.length; i++) n = child(n, v[i]);
      return n;
    }
  }
  return child(child(node, OTHER), valueKey(v));
}

function compileStage(stage: Doc, next?: Doc): Stage {
  const name = Object.keys(stage)[0]!;
  const spec = stage[name];
  switch (name) {
    case '$match': {
      const { test } = compileFilter(spec);
      return { each: (d) => (test(d) ? d : undefined) };
    }
    case '$project': {
      // Field order only matters to a $group that groups or accumulates whole documents.
      const orderless = !!next && '$group' in next && !/\$\$(ROOT|CURRENT)/.test(JSON.stringify(next.$group));
      return compileProject(spec, orderless);
    }
    case '$group':
      return compileGroup(spec);
    case '$sort': {
      if (!isDocument(spec) || Object.keys(spec).length === 0) return unsupported('$sort form');
      const c = makeSortComparator(spec);
      return { all: (docs, pre) => (pre ? materialise(docs, pre) : docs.slice()).sort(c) };
    }
    case '$skip':
    case '$limit': {
      if (typeof spec !== 'number' || !Number.isInteger(spec) || spec < (name === '$limit' ? 1 : 0)) return unsupported(`${name} value`);
      return { all: (docs, pre) => (name === '$skip' ? materialise(docs, pre).slice(spec) : materialise(docs, pre).slice(0, spec)) };
    }
    default:
      return unsupported(`stage ${name}`);
  }
}

/**
 * Compiles the longest prefix of `pipeline` the compiler implements. Returns the compiled stages as
 * one function and how many stages it covers (0 = nothing compiled; run everything in mingo).
 */
export function compilePrefix(pipeline: Doc[]): { run: (docs: Doc[]) => Doc[]; count: number } {
  const stages: Stage[] = [];
  let count = 0;
  while (count < pipeline.length) {
    const stage = pipeline[count]!;
    const next = pipeline[count + 1];
    try {
      const compiled = compileStage(stage, next);
      // A $project feeding a $group that never sees whole documents is fused with it: the group reads
      // the projected values straight from the expressions, no projected document is built.
      if ('projected' in compiled && next && '$group' in next && !/\$\$(ROOT|CURRENT)/.test(JSON.stringify(next.$group))) {
        try {
          stages.push(compileGroup(next.$group, compiled.projected as ProjectedFields));
          count += 2;
          continue;
        } catch (e) {
          if (!(e instanceof Unsupported)) throw e;
        }
      }
      stages.push(compiled);
      count++;
    } catch (e) {
      if (e instanceof Unsupported) break;
      throw e;
    }
  }
  const run = (input: Doc[]): Doc[] => {
    let docs = input;
    let pre: Each | null = null;
    for (const st of stages) {
      if (st.each) {
        const prev: Each | null = pre;
        const each = st.each;
        pre = prev ? (d) => {
          const r = prev(d);
          return r === undefined ? undefined : each(r);
        } : each;
      } else {
        docs = st.all(docs, pre);
        pre = null;
      }
    }
    return materialise(docs, pre);
  };
  return { run, count };
}
