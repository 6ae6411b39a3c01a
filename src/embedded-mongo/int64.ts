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

/** Aggregation arithmetic: never fails, widens int32 → int64 → double on overflow. */
export function aggregateArith(op: Op, a: Numeric, b: Numeric): Numeric {
  const intA = typeof a === 'bigint' || isInt32(a);
  const intB = typeof b === 'bigint' || isInt32(b);
  if (!intA || !intB) return inexact(op, Number(a), Number(b));
  const r = exact(op, BigInt(a), BigInt(b));
  if (typeof a === 'number' && typeof b === 'number' && r >= INT32_MIN && r <= INT32_MAX) return Number(r);
  return fitsInt64(r) ? r : Number(r);
}

/**
 * Update arithmetic (`$inc`/`$mul`): as aggregation, except that an int64 overflow is refused the
 * way the server refuses it.
 */
export function updateArith(opName: '$inc' | '$mul', a: Numeric, b: Numeric, path: string): Numeric {
  const intA = typeof a === 'bigint' || isInt32(a);
  const intB = typeof b === 'bigint' || isInt32(b);
  const op: Op = opName === '$inc' ? '+' : '*';
  if (!intA || !intB) return inexact(op, Number(a), Number(b));
  const r = exact(op, BigInt(a), BigInt(b));
  if (typeof a === 'number' && typeof b === 'number' && r >= INT32_MIN && r <= INT32_MAX) return Number(r);
  if (!fitsInt64(r)) {
    throw new MongoCommandError(
      2,
      `Failed to apply ${opName} operations to current value ((NumberLong)${String(a)}) for the field '${path}': the result overflows a 64-bit integer`,
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
  return aggregateArith('+', total, v);
}
