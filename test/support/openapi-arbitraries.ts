// fast-check arbitraries derived from the OpenAPI 3.0 schemas the server publishes: valid values, and broken ones.
import * as fc from 'fast-check';

/** The subset of an OpenAPI 3.0 Schema Object the API's request schemas use. */
export interface Schema {
  readonly type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  readonly nullable?: boolean;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
}

/**
 * Where the caller knows better than the schema: values that satisfy the data rules a schema cannot state (numbers
 * with a rate, senders of the account), and generators for the API's own formats. Given the property's path.
 */
export type Hint = (path: string, schema: Schema) => fc.Arbitrary<unknown> | undefined;

/** Values that are valid for `schema`; the caller filters with a validator, since branches may overlap rules. */
export function validValue(schema: Schema, hint: Hint, path = ''): fc.Arbitrary<unknown> {
  const hinted = hint(path, schema);
  if (hinted) return hinted;
  const base = validNonNull(schema, hint, path);
  return schema.nullable ? fc.oneof({ weight: 4, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base;
}

function integerBetween(min: number, max: number): fc.Arbitrary<number> {
  const near = Math.min(max, min + 1000);
  return fc.oneof(
    fc.constant(min),
    fc.constant(max),
    fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(near, 2 ** 31 - 1) }),
    fc.bigInt(BigInt(min), BigInt(max)).map(Number),
  );
}

function validNonNull(schema: Schema, hint: Hint, path: string): fc.Arbitrary<unknown> {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    // A branch carries the keywords of its parent (`type` and `nullable` are often written once, outside).
    const { anyOf: _a, oneOf: _o, ...outer } = schema;
    return fc.oneof(...branches.map((branch) => validValue({ ...outer, ...branch }, hint, path)));
  }
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string': {
      if (schema.pattern !== undefined) {
        const re = new RegExp(schema.pattern);
        return fc.stringMatching(re).filter((s) => s.length <= (schema.maxLength ?? 2000));
      }
      const lengths = { minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) };
      // Any code point too (control characters, NUL, lone surrogates), where the schema allows any text.
      return fc.oneof(fc.string(lengths), fc.string({ ...lengths, unit: 'binary' }));
    }
    case 'integer':
      return integerBetween(schema.minimum ?? -(2 ** 40), schema.maximum ?? 2 ** 40);
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue(schema.items ?? {}, hint, `${path}[]`), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 6, 6),
      });
    case 'object':
      return validObject(schema, hint, path);
    default:
      return anyJson();
  }
}

function validObject(schema: Schema, hint: Hint, path: string): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    model[name] = validValue(property, hint, path ? `${path}.${name}` : name);
  }
  const known = fc.record(model, { requiredKeys: required.filter((name) => name in model) as string[] });
  if (schema.additionalProperties === false) return known;
  // Fields the API does not know are allowed and ignored: some runs carry a few.
  const extra = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in properties) && !POLLUTERS.has(k)),
    anyJson(),
    { maxKeys: 3 },
  );
  return fc.tuple(known, fc.oneof(fc.constant({}), extra)).map(([k, e]) => ({ ...e, ...k }));
}

const POLLUTERS = new Set(['__proto__', 'constructor', 'prototype']);

/** Any JSON value, shallow. */
export function anyJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 20 }),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
  );
}

/** A value of the wrong type for `schema`, or out of its bounds; the caller checks that it is in fact invalid. */
export function brokenValue(schema: Schema): fc.Arbitrary<unknown> {
  const candidates: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, '', ' ', 'x', [], {}, [null], { a: 1 }),
    fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'Ω'.repeat(300), '9'.repeat(25), '1e400', '-0'),
    // Huge strings: well past any length bound, short of the body limit.
    fc.integer({ min: 20_001, max: 60_000 }).map((n) => 'a'.repeat(n)),
  ];
  if (schema.minimum !== undefined) candidates.push(fc.constant(schema.minimum - 1), fc.constant(schema.minimum - 0.5));
  if (schema.maximum !== undefined) candidates.push(fc.constant(schema.maximum + 1), fc.constant(schema.maximum * 10));
  if (schema.maxLength !== undefined) candidates.push(fc.constant('b'.repeat(schema.maxLength + 1)));
  if (schema.enum) candidates.push(fc.constantFrom(...schema.enum.map((v) => ` ${String(v).toUpperCase()}`)));
  return fc.oneof(...candidates);
}
