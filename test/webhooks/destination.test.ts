import assert from 'node:assert/strict';
import dnsPromises from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';
import { type TestContext, mock, test } from 'node:test';
import { DestinationRefusedError, endpointUrlProblem, isPublicAddress, resolveDestination } from '../../src/modules/webhooks/destination.js';

const STRICT = { allowHttp: false, allowPrivateNetworks: false };

/** Answers every name with `answer` (or fails like an unknown name), so no test asks a real resolver. */
function fakeDns(t: TestContext, answer: { address: string; family: number }[] | 'ENOTFOUND') {
  const fake = mock.method(dnsPromises, 'lookup', async (hostname: string, _options?: unknown) => {
    if (answer === 'ENOTFOUND') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  });
  // destination.ts holds a named import of lookup; this makes it see the fake.
  syncBuiltinESMExports();
  t.after(() => {
    fake.mock.restore();
    syncBuiltinESMExports();
  });
  return fake;
}

const refused: [string, string, RegExp][] = [
  ['a relative URL', '/hooks', /absolute URL/],
  ['an ftp URL', 'ftp://hooks.example.com/in', /https/],
  ['a URL of 2,001 characters', `https://hooks.example.com/${'a'.repeat(1975)}`, /at most 2000 characters/],
  ['a user name and password', 'https://user:secret@hooks.example.com/', /user name or password/],
  ['a user name alone', 'https://user@hooks.example.com/', /user name or password/],
  ['loopback', 'https://127.0.0.1/hooks', /non-public.*127\.0\.0\.1 is loopback/],
  ['loopback elsewhere in 127/8', 'https://127.8.9.10/', /loopback/],
  ['IPv6 loopback', 'https://[::1]:8443/hooks', /non-public.*::1 is loopback/],
  ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/', /non-public.*loopback/],
  ['10/8', 'https://10.1.2.3/', /private/],
  ['172.16/12', 'https://172.16.0.1/', /private/],
  ['the end of 172.16/12', 'https://172.31.255.254/', /private/],
  ['192.168/16', 'https://192.168.1.10/', /private/],
  ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/', /linkLocal/],
  ['carrier-grade NAT', 'https://100.64.0.1/', /carrierGradeNat/],
  ['IPv6 unique-local', 'https://[fc00::1]/', /uniqueLocal/],
  ['IPv6 unique-local (fd00::/8)', 'https://[fd12:3456::1]/', /uniqueLocal/],
  ['IPv6 link-local', 'https://[fe80::1]/', /linkLocal/],
  ['the unspecified address', 'https://0.0.0.0/', /unspecified/],
  ['loopback written as one decimal number', 'https://2130706433/', /127\.0\.0\.1 is loopback/],
  ['loopback written in hex and short form', 'https://0x7f.1/', /127\.0\.0\.1 is loopback/],
  ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/', /non-public/],
  ['localhost', 'https://localhost/hooks', /localhost/],
  ['localhost with its root dot', 'https://localhost./hooks', /localhost/],
  ['a name under .localhost', 'https://api.localhost/', /localhost/],
];

for (const [what, url, reason] of refused) {
  test(`when an endpoint URL is ${what}, then it is refused with the reason`, () => {
    assert.match(endpointUrlProblem(url, STRICT) ?? 'accepted', reason);
  });
}

test('when an endpoint URL is https on a public name or address, up to 2,000 characters, then it is accepted', () => {
  assert.equal(`https://h.example.com/${'a'.repeat(1978)}`.length, 2000);
  for (const url of ['https://hooks.example.com/in?shop=1', 'https://93.184.216.34/hooks', 'https://[2606:4700::1111]:8443/hooks', `https://h.example.com/${'a'.repeat(1978)}`]) {
    assert.equal(endpointUrlProblem(url, STRICT), undefined, url.slice(0, 60));
  }
});

test('when an endpoint URL is plain http, then it is refused unless http is allowed, and other schemes stay refused', () => {
  assert.match(endpointUrlProblem('http://hooks.example.com/', STRICT) ?? '', /https URL \(plain http only with WEBHOOK_ALLOW_HTTP=true\)/);
  const allowHttp = { allowHttp: true, allowPrivateNetworks: false };
  assert.equal(endpointUrlProblem('http://hooks.example.com/', allowHttp), undefined);
  assert.match(endpointUrlProblem('ftp://hooks.example.com/', allowHttp) ?? '', /http or https/);
  assert.match(endpointUrlProblem('http://127.0.0.1/', allowHttp) ?? '', /loopback/, 'allowing http allows no private address');
});

test('when private networks are allowed, then loopback, private addresses and localhost are accepted but the other rules still hold', () => {
  const open = { allowHttp: true, allowPrivateNetworks: true };
  for (const url of ['http://127.0.0.1:3000/', 'http://[::1]/', 'http://10.0.0.5/', 'http://localhost:8080/hooks', 'http://2130706433/']) {
    assert.equal(endpointUrlProblem(url, open), undefined, url);
  }
  assert.match(endpointUrlProblem('http://user:pw@127.0.0.1/', open) ?? '', /user name/);
  assert.match(endpointUrlProblem('/relative', open) ?? '', /absolute/);
});

test('when addresses are judged, then only plain unicast is public, an IPv4-mapped address counting as its IPv4', () => {
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:93.184.216.34']) {
    assert.equal(isPublicAddress(address), true, address);
  }
  const nonPublic = [
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'mapped loopback'],
    ['::ffff:10.0.0.1', 'mapped private'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['fc00::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['not an address', 'not an address'],
  ];
  for (const [address, what] of nonPublic) assert.equal(isPublicAddress(address!), false, `${address} (${what})`);
});

test('when a destination is a literal address, then it is used as it is, without a lookup', async (t) => {
  const lookup = fakeDns(t, 'ENOTFOUND');
  assert.deepEqual(await resolveDestination('93.184.216.34', false), { address: '93.184.216.34', family: 4 });
  assert.deepEqual(await resolveDestination('[2606:4700::1111]', false), { address: '2606:4700::1111', family: 6 });
  assert.deepEqual(await resolveDestination('127.0.0.1', true), { address: '127.0.0.1', family: 4 });
  await assert.rejects(resolveDestination('[::1]', false), (error: Error) => error instanceof DestinationRefusedError && /::1 \(loopback\)/.test(error.message));
  assert.equal(lookup.mock.callCount(), 0);
});

test('when a name resolves to several addresses, then it is looked up once and the first public one is chosen', async (t) => {
  const lookup = fakeDns(t, [
    { address: '10.0.0.7', family: 4 },
    { address: '2606:4700::1111', family: 6 },
    { address: '93.184.216.34', family: 4 },
  ]);
  assert.deepEqual(await resolveDestination('hooks.example.test', false), { address: '2606:4700::1111', family: 6 });
  assert.equal(lookup.mock.callCount(), 1);
  assert.deepEqual(lookup.mock.calls[0]?.arguments[1], { all: true, verbatim: true });
});

test('when a name resolves only to non-public addresses, then it is refused naming each address and why, unless private networks are allowed', async (t) => {
  fakeDns(t, [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ]);
  await assert.rejects(resolveDestination('rebind.example.test', false), (error: Error) => {
    assert.ok(error instanceof DestinationRefusedError);
    assert.match(error.message, /rebind\.example\.test resolves only to non-public addresses, 127\.0\.0\.1 \(loopback\), ::1 \(loopback\)/);
    return true;
  });
  assert.deepEqual(await resolveDestination('rebind.example.test', true), { address: '127.0.0.1', family: 4 });
});

test('when a name does not resolve, then it is refused saying so', async (t) => {
  fakeDns(t, 'ENOTFOUND');
  await assert.rejects(
    resolveDestination('nowhere.example.test', true),
    (error: Error) => error instanceof DestinationRefusedError && error.message === 'nowhere.example.test did not resolve (ENOTFOUND)',
  );
});

test('when localhost is resolved for real, then it is refused as loopback unless private networks are allowed', async () => {
  // The system's own answer for localhost (its hosts file), not a fake: no traffic leaves the machine.
  await assert.rejects(resolveDestination('localhost', false), /localhost resolves only to non-public addresses.*loopback/);
  const allowed = await resolveDestination('localhost', true);
  assert.equal(isPublicAddress(allowed.address), false);
});
