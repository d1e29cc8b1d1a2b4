import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db/errors.js';
import { AppError, type ErrorCode, type FieldError, ServiceUnavailableError } from '../shared/errors.js';
import type { Problem } from '../shared/schemas.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own client errors, by code, with a stable code and a plain detail. */
const FRAMEWORK_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST', detail: 'Content-Length does not match the body.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', detail: 'The request body is larger than 100 KiB.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The body is empty; send a JSON object.' },
};

export function problemBody(status: number, code: ErrorCode, detail: string, fields?: FieldError[]): Problem {
  const problem: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, code };
  if (fields) problem.errors = fields;
  return problem;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem);
}

function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  if (error.validation) {
    const fields = error.validation.map((v) => ({
      path: `/${error.validationContext ?? 'body'}${v.instancePath}${missingField(v.params)}`,
      message: v.message ?? 'is invalid',
    }));
    const first = fields[0];
    return problemBody(400, 'VALIDATION_FAILED', first ? `${first.path} ${first.message}` : 'Invalid request.', fields);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return problemBody(status, known.code, known.detail);
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

/** The client closed the connection while its request was still being read: nobody is left to answer. */
function clientWentAway(error: FastifyError, request: FastifyRequest): boolean {
  return request.raw.destroyed && (error.code === 'ECONNRESET' || error.message === 'aborted');
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
export function answerBadUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // The app's hooks do not run for these, so the request id is set here.
  reply.header('x-request-id', request.id);
  return error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? sendProblem(reply, problemBody(414, 'URI_TOO_LONG', 'A path parameter is too long.'))
    : sendProblem(reply, problemBody(400, 'BAD_URL', 'The URL is malformed.'));
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request: a request that took longer
 * than the request or headers timeout (408), headers over 16 KiB (431), or bytes that are
 * not HTTP (400). Answered as problem+json like every other error, then the connection is
 * closed. Given to Fastify as its `clientErrorHandler` option.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? problemBody(408, 'REQUEST_TIMEOUT', 'The request took too long to arrive.')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? problemBody(431, 'HEADERS_TOO_LARGE', 'The request headers are larger than 16 KiB.')
        : problemBody(400, 'BAD_REQUEST', 'The request is not valid HTTP.');
  const body = JSON.stringify(problem);
  // As Node's own handler: never into the middle of a response already on its way.
  const answering = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (socket.writable && !answering) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** One place that turns every error into RFC 9457 problem+json. */
export default fp(
  async function errors(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (clientWentAway(error, request)) {
        request.log.info({ url: request.url, method: request.method }, 'the client closed the connection before its request was read');
        return sendProblem(reply, problemBody(400, 'BAD_REQUEST', 'The request was cut off.'));
      }
      const known = asAppError(error, request);
      if (!known) return sendProblem(reply, toProblem(error, request));
      if (known.retryAfterSeconds !== undefined) reply.header('retry-after', String(known.retryAfterSeconds));
      return sendProblem(reply, problemBody(known.status, known.code, known.message, known.fields));
    });
    app.setNotFoundHandler((_request, reply) => sendProblem(reply, problemBody(404, 'NOT_FOUND', 'No such route.')));
  },
  { name: 'errors' },
);
