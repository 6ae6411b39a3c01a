/**
 * Arithmetic across BSON's numeric types as MongoDB's server does it. Inside the engine an int32 is
 * an integral JS number within int32 range, an int64 is a bigint (the wire and the log decode with
 * `useBigInt64`), and every other number is a double (the serializer writes it as one).
 *
 * - Update operators (`$inc`, `$mul`): int32 op int32 overflowing int32 gives int64; an int64
 *   result beyond the int64 range is an error (BadValue, "Failed to apply $inc operations ...");
 *   anything with a double is a double.
 * - Aggregation (`$add`, `$subtract`, `$multiply`, `$sum`): the widest operand type wins; an int32
 *   result beyond int32 widens to int64, an int64 result beyond int64 to double (never an error).
 */
import { Double } from 'bson';
import { MongoCommandError } from './errors.js';

export type Numeric = number | bigint;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export const isInt32 = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX && !Object.is(v, -0);

export const fitsInt64 = (v: bigint): boolean => v >= INT64_MIN && v <= INT64_MAX;

/** The engine's numbers, plus the driver's wrapper classes should one reach it. */
export function toNumeric(v: unknown): Numeric | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v === null || typeof v !== 'object') return undefined;
  switch ((v as { _bsontype?: string })._bsontype) {
    case 'Long':
      return (v as { toBigInt(): bigint }).toBigInt();
    case 'Int32':
    case 'Double':
      return Number((v as { valueOf(): unknown }).valueOf());
    default:
      return undefined;
  }
}

type Op = '+' | '-' | '*';

function exact(op: Op, a: bigint, b: bigint): bigint {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

function inexact(op: Op, a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

type Kind = 'int' | 'long' | 'double';

/** The BSON numeric type of an engine value (a `Double` holds an integral double; see doubles.ts). */
function kindOf(raw: unknown, n: Numeric): Kind {
  if (typeof n === 'bigint') return 'long';
  const t = raw !== null && typeof raw === 'object' ? (raw as { _bsontype?: string })._bsontype : undefined;
  if (t === 'Double') return 'double';
  if (t === 'Int32') return 'int';
  return isInt32(n) ? 'int' : 'double';
}

/** A double result as the engine stores it: integral values within int32 range keep their type as `Double`. */
const asDouble = (r: number): number | Double => (isInt32(r) ? new Double(r) : r);

/** Aggregation arithmetic: never fails, widens int32 → int64 → double on overflow. */
export function aggregateArith(op: Op, a: unknown, b: unknown): Numeric | Double {
  const x = toNumeric(a)!;
  const y = toNumeric(b)!;
  const ka = kindOf(a, x);
  const kb = kindOf(b, y);
  if (ka === 'double' || kb === 'double') return asDouble(inexact(op, Number(x), Number(y)));
  const r = exact(op, BigInt(x), BigInt(y));
  if (ka === 'int' && kb === 'int' && r >= INT32_MIN && r <= INT32_MAX) return Number(r);
  return fitsInt64(r) ? r : Number(r);
}

/**
 * Update arithmetic (`$inc`/`$mul`): as aggregation, except that an int64 overflow is refused the
 * way the server refuses it.
 */
export function updateArith(opName: '$inc' | '$mul', a: unknown, b: unknown, path: string): Numeric | Double {
  const x = toNumeric(a)!;
  const y = toNumeric(b)!;
  const ka = kindOf(a, x);
  const kb = kindOf(b, y);
  const op: Op = opName === '$inc' ? '+' : '*';
  if (ka === 'double' || kb === 'double') return asDouble(inexact(op, Number(x), Number(y)));
  const r = exact(op, BigInt(x), BigInt(y));
  if (ka === 'int' && kb === 'int' && r >= INT32_MIN && r <= INT32_MAX) return Number(r);
  if (!fitsInt64(r)) {
    throw new MongoCommandError(
      2,
      `Failed to apply ${opName} operations to current value ((NumberLong)${String(x)}) for the field '${path}': the result overflows a 64-bit integer`,
    );
  }
  return r;
}

/** A running `$sum` with MongoDB's result type (see `aggregateArith`). */
export function sumStep(total: Numeric, v: Numeric): Numeric {
  // The common case (two numbers whose sum stays within int32, or any double) needs no bigint.
  if (typeof total === 'number' && typeof v === 'number') {
    const r = total + v;
    if ((r >= INT32_MIN && r <= INT32_MAX) || !isInt32(total) || !isInt32(v)) return r;
  }
  const r = aggregateArith('+', total, v);
  return typeof r === 'object' ? r.value : r;
}
