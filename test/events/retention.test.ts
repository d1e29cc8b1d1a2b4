import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { purgeOldEvents } from '../../src/modules/events/events.service.js';
import { call, registerCustomer } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { openWebhookShop } from '../webhooks/hooks.js';
import { eventsOfType, readFeed } from './feed.js';

const DAY_MS = 86_400_000;

test('when the retention job runs, then events older than EVENT_RETENTION_DAYS go with their deliveries, and younger ones stay readable', async (t) => {
  const receiver = await startReceiver(t);
  const { app, admin, subscribe, deliveries } = await openWebhookShop(t);
  const endpoint = await subscribe(receiver.url, ['customer.created']);
  await registerCustomer(app);
  // The bootstrap admin's, the shop's buyer's, and this one's (the first delivered).
  const [oldest] = await eventsOfType(app, admin, 'customer.created', 3);
  await receiver.waitFor(1);

  await sleep(5);
  const cutoff = Date.now();
  await sleep(5);
  await registerCustomer(app);
  await registerCustomer(app);
  const before = await eventsOfType(app, admin, 'customer.created', 5);
  await receiver.waitFor(3);
  const young = before.filter((event) => Date.parse(event.created_at) >= cutoff);
  assert.equal(young.length, 2);
  const old = before.filter((event) => Date.parse(event.created_at) < cutoff);

  // Two days' retention, two days after the cutoff: what came before it is old.
  const purged = await purgeOldEvents(app.db, 2, cutoff + 2 * DAY_MS);

  assert.equal(purged, old.length);
  assert.deepEqual((await readFeed(app, admin)).map((event) => event.id), young.map((event) => event.id));
  const afterPurged = await call(app, 'GET', `/events?after=${oldest!.id}`, { token: admin });
  assert.equal(afterPurged.status, 404, 'a reader holding a purged id must start again from the oldest kept');
  const afterYoung = await call(app, 'GET', `/events?after=${young[0]!.id}`, { token: admin });
  assert.deepEqual(afterYoung.body.items.map((event: { id: string }) => event.id), [young[1]!.id]);
  assert.deepEqual((await deliveries(endpoint.id)).map((delivery) => delivery.event_id).sort(), young.map((event) => event.id).sort());

  assert.equal(await purgeOldEvents(app.db, 2, cutoff + 2 * DAY_MS), 0, 'a second run finds nothing more');
});
