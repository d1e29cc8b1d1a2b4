// The typed client's types (clients/typescript/api.d.ts) as openapi-typescript writes them
// from the app's OpenAPI document. `npm run generate:client` writes them; a test regenerates
// them and fails on any difference from the committed file.
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPIV3_1 } from 'openapi-types';

export const CLIENT_TYPES_FILE = fileURLToPath(new URL('../clients/typescript/api.d.ts', import.meta.url));

const HEADER = '// Generated from the API\'s /openapi.json by `npm run generate:client`: do not edit by hand.\n';

export async function clientTypes(document: OpenAPIV3_1.Document): Promise<string> {
  return HEADER + astToString(await openapiTS(JSON.stringify(document)));
}
