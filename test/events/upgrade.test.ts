import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { purgeOldEvents } from '../../src/modules/events/events.service.js';
import { adminToken, buildUpgradedApp, call, createProduct, registerCustomer } from '../helpers/app.js';
import { onPostgres } from '../helpers/database.js';
import { eventually, startReceiver } from '../helpers/receiver.js';
import { eventsOfType, readFeed } from './feed.js';

// Events written before migration 0015 (SQLite: the feed read by seq, ids that carry it) are
// read after it as before: same ids, same order, deliveries still theirs, and one the
// dispatcher had not reached yet is delivered. On PostgreSQL the migration changes nothing,
// and the same holds.

const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
/** A minute ago: young enough for the retention job the app runs at its start. */
const WRITTEN_AT = new Date(Date.now() - 60_000).toISOString();
const OLD_IDS = ['evt_00000000000a7f3c9e1b2d4c6a8e0f11', 'evt_00000000000b1c2d3e4f5a6b7c8d9e22', 'evt_00000000000c9d8e7f6a5b4c3d2e1f33'];

/** Three events as a shop left them at migration 0014, an endpoint subscribed to all, and the deliveries made so far. */
async function writeOldEvents(db: Db, receiverUrl: string): Promise<void> {
  // Written in seq order 1, 2, 3; the feed had placed the third before the second, and the
  // second (an out-of-stock event) was still waiting for the dispatcher.
  await sql`insert into events (seq, id, type, data, created_at, position) values
    (1, ${OLD_IDS[0]}, 'customer.created', '{"customer":{"id":1}}', ${WRITTEN_AT}, 1),
    (2, ${OLD_IDS[1]}, 'product.out_of_stock', '{"product":{"id":1}}', ${WRITTEN_AT}, null),
    (3, ${OLD_IDS[2]}, 'order.placed', '{"order":{"id":1}}', ${WRITTEN_AT}, 2)`.execute(db);
  await sql`insert into webhook_endpoints (url, active, secret, created_at, updated_at) values (${receiverUrl}, 1, ${SECRET}, ${WRITTEN_AT}, ${WRITTEN_AT})`.execute(db);
  await sql`insert into webhook_subscriptions (endpoint_id, event_type) values (1, '*')`.execute(db);
  // The first two were delivered already, when the feed gave them their places.
  await sql`insert into webhook_deliveries (endpoint_id, event_seq, status, attempts, last_status_code, final_attempt, created_at) values
    (1, 1, 'succeeded', 1, 200, 0, ${WRITTEN_AT}), (1, 3, 'succeeded', 1, 200, 0, ${WRITTEN_AT})`.execute(db);
  if (onPostgres) await sql`select setval(pg_get_serial_sequence('events', 'seq'), 3)`.execute(db);
}

test(`when the shop upgrades past migration 0015 on ${onPostgres ? 'PostgreSQL' : 'SQLite'}, then the events written before keep their ids, order and deliveries`, async (t) => {
  const receiver = await startReceiver(t);
  const app = await buildUpgradedApp(t, '0014_payments', (db) => writeOldEvents(db, receiver.url), {
    webhookDelivery: 'inline',
    webhookAllowHttp: true,
    webhookAllowPrivateNetworks: true,
  });
  const admin = await adminToken(app);

  // The waiting event is delivered, with its own id as the webhook-id (beside the bootstrap
  // admin's customer.created, in either order), and the delivered ones are not sent again.
  const received = await receiver.waitFor(2);
  assert.deepEqual(received.map((request) => request.headers['webhook-id']).filter((id) => OLD_IDS.includes(String(id))), [OLD_IDS[1]]);

  const feed = await eventually(
    () => readFeed(app, admin),
    (events) => events.length >= 3,
  );
  assert.deepEqual(feed.slice(0, 3).map((event) => [event.id, event.type]), [
    [OLD_IDS[0], 'customer.created'],
    [OLD_IDS[2], 'order.placed'],
    [OLD_IDS[1], 'product.out_of_stock'],
  ]);
  const deliveries = await call(app, 'GET', '/webhook-endpoints/1/deliveries?per_page=100', { token: admin });
  assert.equal(deliveries.status, 200);
  assert.deepEqual(
    deliveries.body.items
      .filter((delivery: { event_id: string }) => OLD_IDS.includes(delivery.event_id))
      .map((delivery: { event_id: string; status: string }) => [delivery.event_id, delivery.status])
      .sort(),
    [[OLD_IDS[0], 'succeeded'], [OLD_IDS[1], 'succeeded'], [OLD_IDS[2], 'succeeded']].sort(),
  );

  // New events come after the old ones; a reader that holds an old id goes on from it.
  const buyer = await registerCustomer(app);
  const product = await createProduct(app, admin, { stock: 3 });
  const placed = await call(app, 'POST', '/orders', { token: buyer.token, body: { customer_id: buyer.customer.id, items: [{ product_id: product.id, quantity: 1 }] } });
  assert.equal(placed.status, 201);
  const [newest] = await eventsOfType(app, admin, 'order.placed', 2).then((events) => events.slice(1));
  assert.match(newest!.id, /^evt_[0-9a-f]{32}$/);
  const afterOld = await call(app, 'GET', `/events?after=${OLD_IDS[2]}&limit=100`, { token: admin });
  assert.equal(afterOld.status, 200);
  assert.deepEqual(afterOld.body.items[0].id, OLD_IDS[1]);
  assert.ok(afterOld.body.items.some((event: { id: string }) => event.id === newest!.id));
  const afterNewest = await call(app, 'GET', `/events?after=${newest!.id}`, { token: admin });
  assert.equal(afterNewest.status, 200);
  assert.deepEqual(afterNewest.body.items, []);

  assert.deepEqual(receiver.received.map((request) => String(request.headers['webhook-id'])).filter((id) => OLD_IDS.includes(id)), [OLD_IDS[1]]);

  // Once the old events are purged, their ids are unknown like any purged id's.
  assert.equal(await purgeOldEvents(app.db, 1, Date.parse(WRITTEN_AT) + 86_400_000 + 1000), 3);
  for (const id of OLD_IDS) assert.equal((await call(app, 'GET', `/events?after=${id}`, { token: admin })).status, 404);
  assert.equal((await readFeed(app, admin)).at(-1)!.id, newest!.id);
});
