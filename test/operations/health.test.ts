import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, call } from '../helpers/app.js';

test('when the process runs, then /health answers ok', async (t) => {
  const app = await buildTestApp(t);
  const response = await call(app, 'GET', '/health');
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { status: 'ok' });
  assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('when the database answers, then /ready is 200; when it is closed, then /ready is 503', async (t) => {
  const app = await buildTestApp(t);
  assert.equal((await call(app, 'GET', '/ready')).status, 200);
  await app.db.destroy();
  const response = await call(app, 'GET', '/ready');
  assert.equal(response.status, 503);
  assert.equal(response.body.code, 'NOT_READY');
});
