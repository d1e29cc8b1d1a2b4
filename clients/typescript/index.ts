import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

export type { components, operations, paths } from './api.js';

/** Every named schema of the API: `Schemas['Order']`, `Schemas['Problem']`, ... */
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

export interface ClientOptions {
  /** Where the API is: `https://shop.example`; '' (the default) for the page's own origin. */
  baseUrl?: string;
  /** Asked before every request; what it answers is sent as the bearer token. */
  token?: () => string | undefined;
  fetch?: typeof globalThis.fetch;
}

/** A client of the whole API (openapi-fetch): every path, parameter, body and answer typed. */
export function createApiClient(options: ClientOptions = {}) {
  const client = createClient<paths>({ baseUrl: options.baseUrl ?? '', ...(options.fetch ? { fetch: options.fetch } : {}) });
  const token = options.token;
  if (token) {
    client.use({
      onRequest({ request }) {
        const value = token();
        if (value) request.headers.set('authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;
