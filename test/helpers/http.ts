import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { assertDocumented } from './contract.js';

export interface HttpResult {
  status: number;
  body: any;
  headers: Headers;
}

/** Starts the app on a free loopback port; returns a JSON client for it, whose every answer is checked against the OpenAPI document. */
export async function listen(t: TestContext, app: FastifyInstance) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  t.after(() => app.close());
  return async function http(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(base + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    assertDocumented(app, method, path, { status: response.status, headers: Object.fromEntries(response.headers), text });
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  };
}

/** Counts results by HTTP status, e.g. { 201: 10, 409: 40 }. */
export function countByStatus(results: HttpResult[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
  return counts;
}
