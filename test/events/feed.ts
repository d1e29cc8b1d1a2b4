import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { call } from '../helpers/app.js';
import { eventually } from '../helpers/receiver.js';

export interface FeedEvent {
  id: string;
  type: string;
  created_at: string;
  data: any;
}

/** Every event in the feed, oldest first, read page by page as a consumer would. */
export async function readFeed(app: FastifyInstance, admin: string, query = ''): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const url = `/events?limit=1000${query}${after ? `&after=${after}` : ''}`;
    const response = await call(app, 'GET', url, { token: admin });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    events.push(...response.body.items);
    if (!response.body.has_more) return events;
    after = events.at(-1)!.id;
  }
}

/** The feed once it holds `count` events of this type (events are dispatched just after their commit). */
export async function eventsOfType(app: FastifyInstance, admin: string, type: string, count: number): Promise<FeedEvent[]> {
  return eventually(
    async () => (await readFeed(app, admin)).filter((event) => event.type === type),
    (events) => events.length >= count,
  );
}

/** Lets the dispatcher catch up, then reads the whole feed: for asserting what was NOT recorded. */
export async function settledFeed(app: FastifyInstance, admin: string): Promise<FeedEvent[]> {
  await new Promise((resolve) => setTimeout(resolve, 150));
  return readFeed(app, admin);
}
