import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { ADMIN, buildTestApp } from '../helpers/app.js';

// A storefront developer generates a typed client from /openapi.json with openapi-typescript
// and calls the API through openapi-fetch. The README's walk-through of that must type-check
// against the client generated from this app's own document (with the contract's spelling of
// every header, and no query on GET /products/p), and run against the live app.

const ROOT = resolve(import.meta.dirname, '../..');
const MARKER = '<!-- typed-client walk-through: checked by test/operations/typed-client.test.ts -->';

/** The ```ts block that follows the marker in the README. */
function walkThrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const after = readme.split(MARKER)[1];
  assert.ok(after, 'the README has the typed-client walk-through');
  const code = /```ts\n([\s\S]*?)\n```/.exec(after)?.[1];
  assert.ok(code, 'the walk-through is a ```ts block');
  return code;
}

/** A folder inside the project, so the files there resolve openapi-fetch from its node_modules. */
function workFolder(name: string): string {
  const folder = join(ROOT, 'node_modules', '.cache', 'typed-client', `${name}-${process.pid}`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** Type errors of `code`, compiled beside the generated `api.d.ts` with the project's strict settings. */
function typeErrors(folder: string, code: string): string[] {
  const file = join(folder, 'walk-through.ts');
  writeFileSync(file, code);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    skipLibCheck: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

async function generatedClient(t: Parameters<typeof buildTestApp>[0], name: string, edit: (document: any) => void = () => {}) {
  const app = await buildTestApp(t);
  await app.ready();
  const folder = workFolder(name);
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const document = structuredClone(app.swagger());
  edit(document);
  // What `npx openapi-typescript http://127.0.0.1:3000/openapi.json -o api.d.ts` writes.
  writeFileSync(join(folder, 'api.d.ts'), astToString(await openapiTS(JSON.stringify(document))));
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ type: 'module' }));
  return { app, folder };
}

test("when a client is generated from /openapi.json, then the README's walk-through type-checks against it", async (t) => {
  const { folder } = await generatedClient(t, 'check');
  assert.deepEqual(typeErrors(folder, walkThrough()), []);
});

test('when the walk-through spells a header other than the contract does, or leaves out a required field, then it no longer type-checks', async (t) => {
  const { folder } = await generatedClient(t, 'control');
  const code = walkThrough();
  const misspelled = code.replace("'Idempotency-Key'", "'idempotency-key'");
  assert.notEqual(misspelled, code, 'the walk-through sends an Idempotency-Key');
  assert.ok(typeErrors(folder, misspelled).length > 0, 'a lower-case header name would be refused');
  const noQuantity = code.replace(/, quantity: 2 \}/, ' }');
  assert.notEqual(noQuantity, code);
  assert.ok(typeErrors(folder, noQuantity).length > 0, 'an order line without its quantity would be refused');

  // The document as it once was: page and per_page marked required (they have defaults).
  const { folder: strict } = await generatedClient(t, 'required-page', (document) => {
    for (const parameter of document.paths['/products/p'].get.parameters) if (parameter.name === 'page') parameter.required = true;
  });
  assert.ok(typeErrors(strict, code).length > 0, 'with page required, GET /products/p with no query would be refused');
});

test('when the walk-through runs against the live app, then every call in it succeeds', async (t) => {
  const { app, folder } = await generatedClient(t, 'run');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  writeFileSync(join(folder, 'walk-through.ts'), walkThrough());

  const child = spawn(process.execPath, ['--import', 'tsx', join(folder, 'walk-through.ts')], {
    cwd: folder,
    env: { PATH: process.env.PATH, API_URL: `http://127.0.0.1:${port}`, ADMIN_PASSWORD: ADMIN.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');

  assert.equal(code, 0, output);
  assert.match(output, /^placed order \d+ for 25$/m, output);
});
