/**
 * Every `code` a problem response can carry: clients may switch on these, so the list is
 * closed and published in the OpenAPI document (the Problem schema).
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'FORBIDDEN_KEY',
  'BAD_URL',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CURRENT_PASSWORD_WRONG',
  'NOT_FOUND',
  'CONFLICT',
  'DUPLICATE',
  'LAST_ADMIN',
  'INSUFFICIENT_STOCK',
  'LINE_LIMIT',
  'CART_FULL',
  'EMPTY_CART',
  'ILLEGAL_STATUS_CHANGE',
  'IDEMPOTENCY_KEY_REUSED',
  'TOO_MANY_PENDING_ORDERS',
  'SHIPPING_REQUIRED',
  'SHIPPING_RATE_UNAVAILABLE',
  'NOTHING_TO_PAY',
  'REFUND_EXCEEDS_CAPTURED',
  'PAYMENT_CAPTURED',
  'PAYMENT_PROVIDER_REFUSED',
  'PAYMENT_PROVIDER_DISABLED',
  'BODY_TOO_LARGE',
  'URI_TOO_LONG',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'ADDRESS_LIMIT',
  'INTERNAL',
  'UNAVAILABLE',
  'NOT_READY',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field that failed, as `/body/price` or `/querystring/after`, and why. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The errors a service may throw on purpose. Each carries its HTTP status and a
 * stable code; the error plugin turns them into problem+json. Anything else is a bug
 * and is answered with a generic 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    detail: string,
    /** Sent as Retry-After when set (429, 503). */
    readonly retryAfterSeconds?: number,
    /** For a validation problem: each field that failed. */
    readonly fields?: FieldError[],
  ) {
    super(detail);
  }
}

/**
 * A field whose content is wrong in a way its schema cannot say (min_price above max_price,
 * a stale cursor, a NUL character): answered exactly like a schema failure, with `errors`.
 */
export class ValidationError extends AppError {
  constructor(path: string, message: string) {
    super(400, 'VALIDATION_FAILED', `${path} ${message}`, undefined, [{ path, message }]);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid bearer token is required.') {
    super(401, 'UNAUTHORIZED', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.', code: ErrorCode = 'FORBIDDEN') {
    super(403, code, detail);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'NOT_FOUND', `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code: ErrorCode = 'CONFLICT') {
    super(409, code, detail);
  }
}

export class InsufficientStockError extends ConflictError {
  constructor(productId: number, productName: string, left: number, wanted: number) {
    super(`Not enough stock for product ${productId} ("${productName}"): ${left} left, ${wanted} wanted.`, 'INSUFFICIENT_STOCK');
  }
}

export class TooManyRequestsError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'TOO_MANY_REQUESTS', detail, retryAfterSeconds);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, 'UNAVAILABLE', detail, retryAfterSeconds);
  }
}
