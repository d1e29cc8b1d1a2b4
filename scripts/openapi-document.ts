// Prints the OpenAPI document of the app as it is built from this checkout:
// `npx tsx scripts/openapi-document.ts > openapi.json`.
// The lint step of `npm test` (scripts/test.mjs) lints what this prints.
import { appDocument } from './app-document.js';

process.stdout.write(`${JSON.stringify(await appDocument(), null, 2)}\n`);
