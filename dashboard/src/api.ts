import { type Problem, type Schemas, createApiClient } from '@ecommerce-api/client';

// The dashboard's only way to the API: the typed client, with the admin's token, which lives
// in this tab only (sessionStorage): closing the tab signs out, another tab signs in anew.

const TOKEN_KEY = 'shop-admin-token';

export const session = {
  token: (): string | undefined => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  start: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  end: () => sessionStorage.removeItem(TOKEN_KEY),
};

export const api = createApiClient({ token: session.token });

export type { Schemas };

/** What went wrong, ready to show: the problem's detail, and its field errors by field name. */
export interface Trouble {
  status: number;
  code: string | undefined;
  detail: string;
  fields: Record<string, string>;
}

export type Outcome<T> = { ok: true; data: T } | { ok: false; trouble: Trouble };

const UNREACHABLE =
  'The API could not be reached: the network is down or the server is restarting. Try again in a moment.';

/** Told when the API refuses the token (expired, or signed out elsewhere): the app returns to sign-in. */
let onSessionEnded: (message: string) => void = () => {};
export function whenSessionEnds(listener: (message: string) => void) {
  onSessionEnded = listener;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'detail' in value && typeof (value as Problem).detail === 'string';
}

/** "/body/price" → "price"; "/querystring/page" → "page". */
function fieldOf(path: string): string {
  return path.split('/').filter(Boolean).slice(1).join('.') || path;
}

export function troubleOf(status: number, body: unknown): Trouble {
  if (!isProblem(body)) {
    return { status, code: undefined, detail: `The API answered ${status} without an explanation. Try again; if it goes on, check the server's log.`, fields: {} };
  }
  const fields: Record<string, string> = {};
  for (const error of body.errors ?? []) fields[fieldOf(error.path)] ??= error.message;
  return { status, code: body.code, detail: body.detail, fields };
}

/**
 * Awaits one typed-client call and says how it went. A 401 ends the session (unless
 * `signingIn`, where it means a wrong password); a network failure is a trouble like any other.
 */
export async function ask<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  { signingIn = false } = {},
): Promise<Outcome<T>> {
  try {
    const { data, error, response } = await request;
    if (response.ok) return { ok: true, data: data as T };
    const trouble = troubleOf(response.status, error);
    if (response.status === 401 && !signingIn) {
      session.end();
      onSessionEnded('Your session has ended (it expired or was signed out). Sign in again to go on.');
    }
    return { ok: false, trouble };
  } catch {
    return { ok: false, trouble: { status: 0, code: 'NETWORK', detail: UNREACHABLE, fields: {} } };
  }
}
