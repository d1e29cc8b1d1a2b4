// Lints the app's OpenAPI document, as this checkout builds it, with Redocly's recommended
// rules (redocly.yaml) and Spectral's spectral:oas (.spectral.yaml): any error or warning
// fails. Run by `npm test` before the test passes, and by `npm run lint:openapi`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

// Redocly's ignore file names the document by this path (.redocly.lint-ignore.yaml).
const DOCUMENT = 'node_modules/.cache/openapi/openapi.json';

function run(command, args) {
  return spawnSync(process.execPath, [command, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

const generated = run('node_modules/tsx/dist/cli.mjs', ['scripts/openapi-document.ts']);
if (generated.status !== 0) {
  console.error(`Could not build the OpenAPI document:\n${generated.stdout}${generated.stderr}`);
  process.exit(1);
}
mkdirSync('node_modules/.cache/openapi', { recursive: true });
writeFileSync(DOCUMENT, generated.stdout);

const linters = [
  { name: "Redocly's recommended rules", args: ['node_modules/@redocly/cli/bin/cli.js', 'lint', DOCUMENT, '--config', 'redocly.yaml'] },
  {
    name: "Spectral's spectral:oas",
    args: ['node_modules/@stoplight/spectral-cli/dist/index.js', 'lint', DOCUMENT, '--ruleset', '.spectral.yaml', '--fail-severity', 'warn'],
  },
];
let failed = false;
for (const linter of linters) {
  const [command, ...args] = linter.args;
  const result = run(command, args);
  if (result.status === 0) {
    console.log(`OpenAPI document: ${linter.name}, no errors and no warnings`);
  } else {
    failed = true;
    console.error(`OpenAPI document: ${linter.name} found problems:\n${result.stdout}${result.stderr}`);
  }
}
process.exit(failed ? 1 : 0);
