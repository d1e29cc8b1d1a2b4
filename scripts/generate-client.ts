// `npm run generate:client`: rewrites clients/typescript/api.d.ts from the app's OpenAPI document.
import { writeFileSync } from 'node:fs';
import { appDocument } from './app-document.js';
import { CLIENT_TYPES_FILE, clientTypes } from './client-types.js';

writeFileSync(CLIENT_TYPES_FILE, await clientTypes(await appDocument()));
console.log(`wrote ${CLIENT_TYPES_FILE}`);
