import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/errors.js';
import { AppError, ServiceUnavailableError } from '../shared/errors.js';
import type { Problem } from '../shared/schemas.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own client errors, by code, with a stable code and a plain detail. */
const FRAMEWORK_ERRORS: Record<string, { code: string; detail?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', detail: 'Content-Length does not match the body.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', detail: 'The request body is larger than 100 KiB.' },
};

export function problemBody(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  if (error.validation) {
    const errors = error.validation.map((v) => ({
      path: `/${error.validationContext ?? 'body'}${v.instancePath}${missingField(v.params)}`,
      message: v.message ?? 'is invalid',
    }));
    const first = errors[0];
    return problemBody(400, 'VALIDATION_FAILED', first ? `${first.path} ${first.message}` : 'Invalid request.', {
      errors,
    });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return problemBody(status, known.code, known.detail ?? error.message);
    // The JSON body plugin's parse errors arrive as SyntaxErrors with status 400.
    if (/forbidden prototype property/.test(error.message)) {
      return problemBody(status, 'FORBIDDEN_KEY', 'The body holds a forbidden key (__proto__ or constructor.prototype).');
    }
    if (error instanceof SyntaxError) return problemBody(status, 'MALFORMED_JSON', 'The body is not valid JSON.');
    return problemBody(status, 'BAD_REQUEST', error.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return problemBody(500, 'INTERNAL', `Something went wrong on our side. Request id: ${request.id}.`);
}

/** Our own errors as they are; an unreachable or overloaded database as a 503 to retry. */
function asAppError(error: Error, request: FastifyRequest): AppError | undefined {
  if (error instanceof AppError) return error;
  if (!isDatabaseUnavailable(error)) return undefined;
  request.log.warn({ err: error }, 'database unavailable');
  return new ServiceUnavailableError('The database is not answering; try again shortly.', 2);
}

/** For required/unknown-field errors Ajv names the field in params, not in the path. */
function missingField(params: Record<string, unknown>): string {
  const field = params.missingProperty ?? params.additionalProperty;
  return typeof field === 'string' ? `/${field}` : '';
}

/**
 * Errors the router raises before any route runs (a malformed percent-escape, a path
 * parameter past the length limit). Given to Fastify as its `frameworkErrors` option.
 */
export function answerBadUrl(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  return error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? sendProblem(reply, problemBody(414, 'URI_TOO_LONG', 'A path parameter is too long.'))
    : sendProblem(reply, problemBody(400, 'BAD_URL', 'The URL is malformed.'));
}

/** One place that turns every error into RFC 9457 problem+json. */
export default fp(
  async function errors(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const known = asAppError(error, request);
      if (!known) return sendProblem(reply, toProblem(error, request));
      if (known.retryAfterSeconds !== undefined) reply.header('retry-after', String(known.retryAfterSeconds));
      return sendProblem(reply, problemBody(known.status, known.code, known.message));
    });
    app.setNotFoundHandler((_request, reply) =>
      sendProblem(reply, problemBody(404, 'NOT_FOUND', 'No such route.')),
    );
  },
  { name: 'errors' },
);
