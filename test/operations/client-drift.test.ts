import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { appDocument } from '../../scripts/app-document.js';
import { CLIENT_TYPES_FILE, clientTypes } from '../../scripts/client-types.js';

// The typed client in clients/typescript is generated from the app's OpenAPI document and
// committed. Regenerated here from this checkout's app, it must be the very same text: a route,
// field or status changed without `npm run generate:client` fails this test.

test('when the client types are generated from the app\'s OpenAPI document, then they are exactly the committed clients/typescript/api.d.ts', async () => {
  const document = await appDocument();
  const committed = readFileSync(CLIENT_TYPES_FILE, 'utf8');
  const generated = await clientTypes(document);
  assert.ok(generated === committed, 'clients/typescript/api.d.ts is out of date: run `npm run generate:client` and commit it');

  // And the comparison sees a change: one more field on a response is a different file.
  const changed = structuredClone(document);
  const summary = changed.components?.schemas?.Summary as { properties: Record<string, unknown> };
  summary.properties.invented = { type: 'string' };
  assert.notEqual(await clientTypes(changed), committed);
});
