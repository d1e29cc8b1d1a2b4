import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adminToken, buildTestApp, call, registerCustomer } from '../helpers/app.js';
import { assertPrototypeClean, label, sendRaw, wrongTypes } from '../helpers/bad-input.js';
import { assertProblem } from '../helpers/problem.js';
import { FULL, bookOf, saveAddress } from '../addresses/book.js';

// The address book's bodies get the sweep body-routes.test.ts gives every other body: the
// body as a whole broken, each field broken on its own, fields a client does not own, and
// keys that would pollute Object.prototype. Each answer is a 4xx problem+json, and no book changes.

interface BodyRoute {
  method: 'POST' | 'PUT';
  url: string;
  valid: Record<string, unknown>;
  required: string[];
  nullable: string[];
}

interface Case {
  name: string;
  route: BodyRoute;
  status: number;
  payload: string | Buffer;
  contentType: string;
}

const KIB = 1024;
const json = (value: unknown) => JSON.stringify(value);

/** One character over each text field's limit. */
const TOO_LONG = {
  first_name: 'f'.repeat(101),
  last_name: 'l'.repeat(101),
  company: 'c'.repeat(201),
  line1: 'a'.repeat(201),
  line2: 'b'.repeat(201),
  city: 'c'.repeat(101),
  postal_code: '9'.repeat(21),
  phone: '1'.repeat(31),
};

/** Values of the right JSON type that break a rule. */
const INVALID: [field: string, value: unknown][] = [
  ['first_name', ''],
  ['first_name', '   '],
  ['last_name', ''],
  ['line1', '\t'],
  ['city', ''],
  ['country_code', 'ZZ'],
  ['country_code', 'de'],
  ['country_code', 'XK'],
  ['country_code', 'DEU'],
  ['country_code', ''],
  ['region_code', 'by'],
  ['region_code', 'ABCD'],
  ['region_code', ''],
];

/** What a client must never set: the entry's own bookkeeping. */
const FORBIDDEN = { id: 999, customer_id: 1, created_at: '2020-01-01T00:00:00.000Z', updated_at: '2020-01-01T00:00:00.000Z' };

function casesFor(route: BodyRoute): Case[] {
  const cases: Case[] = [];
  const add = (what: string, status: number, payload: string | Buffer, contentType = 'application/json') =>
    cases.push({ name: `when ${route.method} ${route.url} gets ${what}, then ${status} problem+json`, route, status, payload, contentType });

  add('malformed JSON', 400, '{"first_name": "x", ');
  add('a truncated copy of a valid body', 400, json(route.valid).slice(0, -1));
  add('a JSON array of a valid body', 400, json([route.valid]));
  add('JSON null', 400, 'null');
  add('a JSON string', 400, '"just a string"');
  add('an empty body with content-type application/json', 400, '');
  add('a valid body as text/plain', 415, json(route.valid), 'text/plain');
  add('a form', 415, 'first_name=Ada', 'application/x-www-form-urlencoded');
  add('a valid body with no content-type', 415, Buffer.from(json(route.valid)), '');
  add('a 200 KiB body', 413, json({ ...route.valid, line2: 'x'.repeat(200 * KIB) }));
  add('a valid body in UTF-16', 400, Buffer.from(json(route.valid), 'utf16le'));

  for (const field of route.required) {
    const { [field]: _, ...rest } = route.valid;
    add(`no ${field}`, 400, json(rest));
  }
  for (const [field, value] of Object.entries(route.valid)) {
    // wrongTypes offers true as a wrong type, which is_default (a boolean) takes.
    for (const wrong of wrongTypes(value, { nullable: route.nullable.includes(field) }).filter((w) => typeof w !== typeof value)) {
      add(`${field} = ${label(wrong)}`, 400, json({ ...route.valid, [field]: wrong }));
    }
  }
  for (const [field, text] of Object.entries(TOO_LONG)) add(`a ${text.length}-character ${field}`, 400, json({ ...route.valid, [field]: text }));
  for (const [field, value] of INVALID) add(`${field} = ${label(value)}`, 400, json({ ...route.valid, [field]: value }));

  add('an unknown field', 400, json({ ...route.valid, surprise: 1 }));
  for (const [field, value] of Object.entries(FORBIDDEN)) add(`the forbidden field ${field}`, 400, json({ ...route.valid, [field]: value }));

  const withRawMembers = (members: string) => `{${members},${json(route.valid).slice(1)}`;
  add('a __proto__ key', 400, withRawMembers('"__proto__":{"polluted":true,"isAdmin":true}'));
  add('a constructor.prototype key', 400, withRawMembers('"constructor":{"prototype":{"polluted":true}}'));
  return cases;
}

test('when the address book routes get bad bodies, then each answer is a 4xx problem+json and no book changes', async (t) => {
  const app = await buildTestApp(t);
  const admin = await adminToken(app);
  const { customer, token } = await registerCustomer(app);
  const saved = await saveAddress(app, token, customer.id, { is_default: true });
  const valid = { ...FULL, is_default: false };
  const routes: BodyRoute[] = [
    {
      method: 'POST',
      url: `/customers/${customer.id}/addresses`,
      valid,
      required: ['first_name', 'last_name', 'line1', 'city', 'country_code'],
      nullable: ['region_code'],
    },
    { method: 'PUT', url: `/customers/${customer.id}/addresses/${saved.id}`, valid, required: [], nullable: ['region_code'] },
  ];
  const adminId: number = (await call(app, 'GET', '/customers/me', { token: admin })).body.id;
  const books = async () => ({ customer: await bookOf(app, admin, customer.id), admin: await bookOf(app, admin, adminId) });
  const before = await books();

  for (const c of routes.flatMap(casesFor)) {
    await t.test(c.name, async () => {
      const response = await sendRaw(app, c.route.method, c.route.url, { token, payload: c.payload, contentType: c.contentType });
      assertProblem(response, c.status, { sent: String(c.payload) });
      assertPrototypeClean();
    });
  }

  assert.deepEqual(await books(), before);
  assertPrototypeClean();
  // The valid bodies really are valid, so each case failed for the one thing it broke.
  for (const route of routes) {
    const control = await call(app, route.method, route.url, { token, body: route.valid });
    assert.equal(control.status, route.method === 'POST' ? 201 : 200, `${route.method} ${route.url}: ${JSON.stringify(control.body)}`);
  }
});
