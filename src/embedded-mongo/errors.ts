/**
 * MongoDB-style command errors. Every failure the engine reports carries a numeric `code` and the
 * matching `codeName`, because the driver and mongoose branch on those (11000, 48, 59, ...).
 */

export const CODE_NAMES: Record<number, string> = {
  1: 'InternalError',
  2: 'BadValue',
  9: 'FailedToParse',
  11: 'UserNotFound',
  13: 'Unauthorized',
  14: 'TypeMismatch',
  20: 'IllegalOperation',
  26: 'NamespaceNotFound',
  27: 'IndexNotFound',
  40: 'ConflictingUpdateOperators',
  43: 'CursorNotFound',
  48: 'NamespaceExists',
  52: 'DollarPrefixedFieldName',
  59: 'CommandNotFound',
  66: 'ImmutableField',
  67: 'CannotCreateIndex',
  68: 'IndexAlreadyExists',
  72: 'InvalidOptions',
  73: 'InvalidNamespace',
  85: 'IndexOptionsConflict',
  86: 'IndexKeySpecsConflict',
  96: 'OperationFailed',
  115: 'CommandNotSupported',
  171: 'CannotIndexParallelArrays',
  263: 'OperationNotSupportedInTransaction',
  10334: 'BSONObjectTooLarge',
  11000: 'DuplicateKey',
  14031: 'OutOfDiskSpace',
  40324: 'Location40324',
  40415: 'Location40415',
};

/** An error answered to the client as `{ ok: 0, errmsg, code, codeName, ...extra }`. */
export class MongoCommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Record<string, unknown>;
  constructor(code: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = code;
    this.codeName = CODE_NAMES[code] ?? `Location${code}`;
    this.extra = extra;
  }
  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
  /** Shape of one entry in a write command's `writeErrors`. */
  toWriteError(index: number): Record<string, unknown> {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

export const badValue = (msg: string): MongoCommandError => new MongoCommandError(2, msg);

/**
 * Maps anything thrown while evaluating user input (mingo errors, TypeErrors) to a MongoDB error.
 * mingo throws plain errors; MongoDB would answer with specific codes, so map the common ones.
 */
export function toMongoError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/would create a conflict/i.test(msg)) return new MongoCommandError(40, msg);
  if (/_id/.test(msg) && /(immutable|modify|update)/i.test(msg)) return new MongoCommandError(66, msg);
  if (/unknown top level operator|unknown operator|unregistered|not (supported|implemented)/i.test(msg)) {
    return new MongoCommandError(2, msg);
  }
  return new MongoCommandError(2, msg);
}
