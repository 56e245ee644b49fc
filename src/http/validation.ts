// Fastify's validation of requests against the OpenAPI schemas of schemas.ts, answering with the contract's texts.
import { Ajv, type ErrorObject, type SchemaObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { type HttpError, notFoundModel, unprocessable } from './errors.js';
import { addApiFormats } from './schema-formats.js';

/** An Ajv that reads the API's schemas as OpenAPI 3.0 does: `nullable`, annotations, and the API's own formats. */
export function apiAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, coerceTypes: false, useDefaults: false });
  ajv.addVocabulary(['example']);
  return addApiFormats(ajv);
}

/** A header's name as clients write it: `idempotency-key` → `Idempotency-Key`. */
function headerName(lowercase: string): string {
  return lowercase.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
}

/**
 * A path or header value as OpenAPI's simple style carries it: digits are the integer a schema of type integer means
 * (the schema then bounds it); anything else stays text and fails the type.
 */
function deserialize(schema: SchemaObject, data: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  const copy: Record<string, unknown> = { ...data };
  for (const [name, property] of Object.entries(properties)) {
    const value = copy[name];
    if (property.type === 'integer' && typeof value === 'string' && /^\d+$/.test(value)) copy[name] = Number(value);
  }
  return copy;
}

/** The contract's answer to a header the schema refuses: 422 keyed by the header, as the handlers word it. */
function headerError(errors: readonly ErrorObject[]): HttpError {
  const found = new ValidationErrors();
  for (const error of errors) {
    const name = headerName(error.instancePath.replace(/^\//, ''));
    const limit = (error.params as { limit?: number }).limit;
    found.add(
      name,
      error.keyword === 'maxLength' && limit !== undefined
        ? `The ${name} header must not be greater than ${limit} characters.`
        : ruleText.formatInvalid(name),
    );
  }
  return unprocessable(found);
}

/**
 * Path parameters and headers are validated here, before any handler: a path id out of bounds is a 404 as an unknown
 * id is, an Idempotency-Key over 255 characters a 422. Bodies and query strings are checked by the handlers, because
 * the contract lists every failing rule together, data rules (a sender the account may use, a rate) included, in its
 * own order; their schemas state the same rules, and test/http/openapi-fuzz.test.ts holds the two in agreement.
 */
export function apiValidatorCompiler(): FastifySchemaCompiler<SchemaObject> {
  const ajv = apiAjv();
  return ({ schema, httpPart }) => {
    // Every schema is compiled, so that one Ajv cannot read fails at start rather than lying in the document.
    const validate = ajv.compile(schema);
    if (httpPart === 'params') {
      return (data) => {
        const params = data as Record<string, string>;
        if (validate(deserialize(schema, params))) return true;
        return { error: notFoundModel(params.id ?? params.phone ?? '') };
      };
    }
    if (httpPart === 'headers') {
      return (data) => (validate(data) ? true : { error: headerError(validate.errors ?? []) });
    }
    return () => true;
  };
}
