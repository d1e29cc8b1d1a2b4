import { label, wrongTypes } from './bad-input.js';

// The field-by-field half of test/bad-input/body-routes.test.ts, for a module's own input
// test: each case breaks exactly one thing in a body the route would accept. (The body as a
// whole, malformed JSON, other media types, is the same for every route and swept there.)

/** One route that takes a JSON body, with a body it would accept. */
export interface BodyRoute {
  method: 'POST' | 'PUT';
  url: string;
  token: string;
  valid: Record<string, unknown>;
  /** Fields that must be present (missing one: 400). */
  required: string[];
  /** Fields for which null is a valid value. */
  nullable?: string[];
  /** A value one character, item or step over each field's limit. */
  tooLong: Record<string, unknown>;
  /** Fields a client must never set (mass assignment). */
  forbidden: Record<string, unknown>;
  /** Values that have the right JSON type but break a rule of the route. */
  invalid: [field: string, value: unknown][];
}

export interface BodyCase {
  name: string;
  route: BodyRoute;
  payload: string;
}

/** Every case for a route, each expected to be 400 with errors[] and to change nothing. */
export function fieldCases(route: BodyRoute): BodyCase[] {
  const cases: BodyCase[] = [];
  const add = (what: string, body: unknown) =>
    cases.push({ name: `when ${route.method} ${route.url} gets ${what}, then 400 with errors[]`, route, payload: JSON.stringify(body) });

  for (const field of route.required) {
    const { [field]: _, ...rest } = route.valid;
    add(`no ${field}`, rest);
  }
  for (const [field, value] of Object.entries(route.valid)) {
    // wrongTypes offers `true` for every field; for a boolean field that is a right type.
    const wrongs = wrongTypes(value, { nullable: route.nullable?.includes(field) }).filter(
      (wrong) => !(typeof wrong === 'boolean' && typeof value === 'boolean'),
    );
    for (const wrong of wrongs) add(`${field} = ${label(wrong)}`, { ...route.valid, [field]: wrong });
  }
  for (const [field, value] of Object.entries(route.tooLong)) add(`a too long ${field} (${label(value)})`, { ...route.valid, [field]: value });
  for (const [field, value] of route.invalid) add(`${field} = ${label(value)}`, { ...route.valid, [field]: value });
  add('an unknown field', { ...route.valid, surprise: 1 });
  for (const [field, value] of Object.entries(route.forbidden)) add(`the forbidden field ${field}`, { ...route.valid, [field]: value });
  return cases;
}
