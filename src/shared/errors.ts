/**
 * The errors a service may throw on purpose. Each carries its HTTP status and a
 * stable code; the error plugin turns them into problem+json. Anything else is a bug
 * and is answered with a generic 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    /** Sent as Retry-After when set (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string) {
    super(400, 'BAD_REQUEST', 'Bad Request', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid bearer token is required.') {
    super(401, 'UNAUTHORIZED', 'Unauthorized', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.') {
    super(403, 'FORBIDDEN', 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'NOT_FOUND', 'Not Found', `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code = 'CONFLICT') {
    super(409, code, 'Conflict', detail);
  }
}

export class InsufficientStockError extends ConflictError {
  constructor(productId: number, productName: string, left: number, wanted: number) {
    super(`Not enough stock for product ${productId} ("${productName}"): ${left} left, ${wanted} wanted.`, 'INSUFFICIENT_STOCK');
  }
}

export class TooManyRequestsError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'TOO_MANY_REQUESTS', 'Too Many Requests', detail, retryAfterSeconds);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, 'UNAVAILABLE', 'Service Unavailable', detail, retryAfterSeconds);
  }
}
