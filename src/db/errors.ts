/** True when a write broke a unique index (SQLite or PostgreSQL), so the caller can answer 409. */
export function isUniqueViolation(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Serialization failure or deadlock: the transaction lost a race and may simply be run again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code === '40001' || code === '40P01';
}

/**
 * The database could not be reached or was too busy: not the client's fault, and likely
 * to pass, so the answer is 503 with Retry-After rather than 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) {
    return error instanceof Error && /Connection terminated|timeout exceeded when trying to connect|driver has already been destroyed/i.test(error.message);
  }
  return (
    code === 'SQLITE_BUSY' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE' ||
    code === '57014' || // statement timeout
    code === '53300' || // too many connections
    code.startsWith('08') || // connection exception
    code.startsWith('57P') // admin shutdown, crash shutdown, cannot connect now
  );
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
