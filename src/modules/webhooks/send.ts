import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { DestinationRefusedError, resolveDestination } from './destination.js';

export interface AttemptRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Aborts the attempt (the process is stopping); it then counts as not made. */
  signal?: AbortSignal;
}

export interface AttemptOutcome {
  succeeded: boolean;
  /** The receiver's HTTP status; null when it never answered one. */
  statusCode: number | null;
  /** Seconds a 429 or 503 asked to wait (Retry-After), at most an hour; else null. */
  retryAfterSeconds: number | null;
  error: string | null;
}

/** Of a receiver's answer only this much is read: nothing in it matters beyond its status, and a hostile one could be endless. */
const MAX_ANSWER_BYTES = 4096;
/** The contract honours Retry-After up to an hour, so one receiver cannot park a delivery for days. */
const MAX_RETRY_AFTER_S = 3600;

type Destination = { address: string; family: 4 | 6 };

/**
 * One delivery attempt. The name is resolved once and checked (resolveDestination), and the
 * connection goes to that checked address: the lookup handed to http.request answers it, so
 * the socket cannot reach another, while Host, SNI and the certificate check still use the
 * name. Any 2xx within the timeout succeeds; redirects are not followed (a 3xx could point
 * anywhere, the checks included); whatever else happens (a refused destination, a reset,
 * garbage, a hang, megabytes of answer) is a failed attempt, never an exception, because a
 * worker must go on to the next delivery whatever one receiver does.
 */
export async function sendAttempt(request: AttemptRequest): Promise<AttemptOutcome> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failed('the endpoint URL is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return failed(`the endpoint URL's scheme ${url.protocol} is not http or https`);

  // One deadline for the whole attempt, the name's lookup included: a slow resolver is as
  // much the receiver's fault as a slow answer.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
  const interrupted = () => failed(request.signal?.aborted ? 'abandoned: the process stopped' : `timed out after ${request.timeoutMs} ms`);
  try {
    const destination = await untilAborted(resolveDestination(url.hostname, request.allowPrivateNetworks), signal);
    if (destination === undefined) return interrupted();
    return await exchange(url, destination, request, signal, interrupted);
  } catch (error) {
    if (error instanceof DestinationRefusedError) return failed(error.message);
    // A header value http.request refuses, say: still this attempt's failure, not the worker's.
    return failed(`the request could not be made (${error instanceof Error ? error.message : String(error)})`);
  } finally {
    clearTimeout(timer);
  }
}

/** POSTs to the checked address and settles on the status line; never rejects once the request is made. */
function exchange(url: URL, destination: Destination, request: AttemptRequest, signal: AbortSignal, interrupted: () => AttemptOutcome) {
  // Node 20 asks with {all: true} when autoSelectFamily is on (its default), else for one address.
  const checkedLookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (error: null, addresses: Destination[]) => void)(null, [destination]);
    else callback(null, destination.address, destination.family);
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptOutcome>((resolve) => {
    // Set once the status line has arrived: from then on the receiver has answered, and a
    // stalled, cut or endless body does not change what it answered.
    let answered: AttemptOutcome | undefined;
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
      outgoing.destroy();
    };
    const outgoing = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: checkedLookup,
        agent: false,
        signal,
      },
      (answer) => {
        const outcome = outcomeOf(answer.statusCode ?? 0, answer.headers['retry-after']);
        answered = outcome;
        // A short answer is read to its end, so the receiver sees a clean close rather than a reset.
        let read = 0;
        answer.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_ANSWER_BYTES) finish(outcome);
        });
        answer.on('error', () => finish(outcome));
        answer.on('close', () => finish(outcome));
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish(answered ?? (signal.aborted ? interrupted() : failed(describe(error)))));
    outgoing.end(request.body);
  });
}

function outcomeOf(statusCode: number, retryAfter: string | undefined): AttemptOutcome {
  const succeeded = statusCode >= 200 && statusCode < 300;
  return {
    succeeded,
    statusCode,
    retryAfterSeconds: statusCode === 429 || statusCode === 503 ? retryAfterSecondsOf(retryAfter) : null,
    error: succeeded ? null : `the endpoint answered ${statusCode}`,
  };
}

function failed(error: string): AttemptOutcome {
  return { succeeded: false, statusCode: null, retryAfterSeconds: null, error };
}

/** A connection failure in a few words, for the delivery's last_error. */
function describe(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'the connection was refused';
  if (error.code === 'ECONNRESET') return 'the connection was closed before an answer';
  if (error.code?.startsWith('HPE_')) return `the answer was not HTTP (${error.code})`;
  if (error.code?.includes('CERT')) return `the TLS certificate was not accepted (${error.code})`;
  if (error.code?.includes('SSL') || error.code?.includes('TLS')) return `the TLS handshake failed (${error.code})`;
  return `the connection failed (${error.code ?? error.message})`;
}

/** Resolves with the promise's value, or undefined as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Retry-After as whole seconds, at most an hour: delta-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2026 07:28:00 GMT"; one in the past means now). Anything else is ignored
 * rather than guessed at, as Date.parse would happily read "-5" as a year.
 */
function retryAfterSecondsOf(header: string | undefined): number | null {
  const value = header?.trim();
  if (!value) return null;
  let seconds: number;
  if (/^\d+$/.test(value)) seconds = Number(value);
  else if (/ GMT$/.test(value) && Number.isFinite(Date.parse(value))) seconds = Math.ceil((Date.parse(value) - Date.now()) / 1000);
  else return null;
  return Math.min(Math.max(0, seconds), MAX_RETRY_AFTER_S);
}
