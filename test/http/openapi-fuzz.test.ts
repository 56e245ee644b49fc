// Property-based fuzzing of the public API from its own /openapi.json: inputs generated from the request schemas, valid
// and broken; every answer is a documented status with a body of the documented schema, and schema and server agree on
// what is valid (the server refuses a schema-valid input only by a data rule, and never accepts a schema-invalid one).
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import * as fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addApiFormats } from '../../src/http/schema-formats.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';
import { brokenValue, type Hint, type Schema, validValue } from '../support/openapi-arbitraries.js';

/** Fixed, so every run sends the same requests; OPENAPI_FUZZ_SEED explores others. */
const SEED = Number(process.env.OPENAPI_FUZZ_SEED ?? 0x0a11_5eed);
/** Generated requests per operation in each property; fourteen operations, two properties, two engines. */
const RUNS_PER_OPERATION = 200;
const VALID_RUNS_PER_OPERATION = 100;

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required?: boolean;
  readonly schema: Schema;
}

interface Operation {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly body: Schema | undefined;
  readonly authenticated: boolean;
  readonly dependentRequired: Readonly<Record<string, readonly string[]>>;
  readonly responses: Readonly<Record<string, { content?: Record<string, { schema: Schema }> }>>;
}

interface Input {
  readonly params: Record<string, unknown>;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly body: Record<string, unknown> | undefined;
  readonly token: boolean;
  /** Send the body as an HTML form when its fields are all text (lists of text as `name[]`), else as JSON. */
  readonly form: boolean;
}

/** The texts of rules no schema can state: they depend on the account's data, not on the request's shape. */
const DATA_RULES = [
  /^The recipients\.\d+ has no available rate\.$/,
  /^The selected sender is invalid\.$/,
  /^The selected country id is invalid\.$/,
  /^The selected type is not available on this platform\.$/,
  /^Insufficient balance\.$/,
  /^Only a Pending sending can be cancelled; this sending is \w+\.$/,
  /^The Idempotency-Key was already used with a different request\.$/,
  /^Every recipient has opted out of messages from this account; nothing was sent\.$/,
];

function operationsOf(document: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = (op.requestBody as { content?: Record<string, { schema: Schema }> } | undefined)?.content?.[
        'application/json'
      ]?.schema;
      operations.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        body,
        authenticated: !(Array.isArray(op.security) && op.security.length === 0),
        dependentRequired: (op['x-dependent-required'] as Record<string, string[]> | undefined) ?? {},
        responses: op.responses as Operation['responses'],
      });
    }
  }
  return operations;
}

/** A query or path value as OpenAPI's form and simple styles carry it: text; digits mean an integer. */
function deserialized(schema: Schema, text: string): unknown {
  return schema.type === 'integer' && /^\d+$/.test(text) ? Number(text) : text;
}

// ajv-formats is CommonJS: its plugin is the module itself or its default export, by loader.
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/** Every byte of the text's UTF-8 percent-encoded (lone surrogates too, which encodeURIComponent refuses). */
function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** The body as form data, when a form can carry it: every field text, or a list of texts. */
function formOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    // A lone surrogate has no UTF-8 form, and an empty list no form field at all.
    const texts = Array.isArray(value) ? value : [value];
    if (texts.length === 0 || !texts.every((t) => typeof t === 'string' && t.isWellFormed())) return undefined;
    for (const text of texts) form.append(Array.isArray(value) ? `${name}[]` : name, text);
  }
  return form.toString();
}

const PRINTABLE = [...Array(95)].map((_v, i) => String.fromCharCode(32 + i));
const PRICED = [...Array(100)].map((_v, i) => `371200000${String(i).padStart(2, '0')}`);

describeEachEngine('the OpenAPI description against the server', (engine) => {
  let api: ApiApp;
  let acme: ApiAccount;
  let operations: Operation[];
  const ajv = addApiFormats(addFormats(new Ajv({ allErrors: true, strict: false })));
  const compiled = new Map<Schema, ValidateFunction>();
  const validator = (schema: Schema): ValidateFunction => {
    const known = compiled.get(schema);
    if (known) return known;
    const validate = ajv.compile(schema as object);
    compiled.set(schema, validate);
    return validate;
  };
  /** Sendings of the account, so that some generated ids find one. */
  const sendingIds: number[] = [];
  let countryIds: number[] = [];

  beforeAll(async () => {
    // Fourteen operations, some three thousand requests each run: above the default per-account limit of a minute.
    api = await startApiApp(engine.db, { rateLimitPerMinute: 100_000 });
    acme = await api.account({ balance: '1000000' });
    const res = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    operations = operationsOf(res.json());
    for (const scheduled_at of ['2199-01-01 00:00:00', '2199-01-02 00:00:00', '']) {
      const created = await api.app.inject({
        method: 'POST',
        url: '/sendings',
        headers: acme.headers,
        payload: { message: 'Fuzz', recipients: PRICED.slice(0, 3), sender: 'MegaShop', scheduled_at },
      });
      sendingIds.push(created.json().sending_id);
    }
    const ids = await engine.db.kysely.selectFrom('countries').select('id').limit(50).execute();
    countryIds = ids.map((row) => Number(row.id));
  });
  afterAll(() => api.close());

  /** Data the account has, where the schema would pick values no account has; and the API's formats. */
  const hint: Hint = (path, schema) => {
    const mixed = (known: fc.Arbitrary<unknown>) =>
      fc.oneof({ weight: 3, arbitrary: known }, { weight: 1, arbitrary: validValue({ ...schema }, () => undefined) });
    if (schema.format === 'sms-text') {
      return fc.oneof(
        fc.constantFrom('Hello', 'Ünïcode ж', '€[]{}', '😀 party', 'x'.repeat(161), 'ж'.repeat(71)),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
        // Any code point, control characters, NUL and lone surrogates included: the schema says which are valid.
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      );
    }
    if (schema.format === 'recipient-list') {
      return fc
        .array(fc.constantFrom(...PRICED), { minLength: 1, maxLength: 4 })
        .chain((list) => fc.constantFrom(list.join(','), ` ${list.join(' , ')} `, JSON.stringify(list)));
    }
    if (schema.format === 'ymd-his') {
      return fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 19).replace('T', ' '));
    }
    if (schema.format === 'utc-time') {
      return fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
        .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 19).replace('T', ' ')));
    }
    if (schema.format === 'public-http-url') {
      return fc
        .tuple(fc.constantFrom('https', 'http', 'HTTPS'), fc.constantFrom('example.com', 'hooks.example.org'))
        .chain(([scheme, host]) => fc.webPath().map((p) => `${scheme}://${host}${p}`));
    }
    if (schema.type === 'string' && schema.pattern === '^\\d{8,20}$') return mixed(fc.constantFrom(...PRICED));
    if (schema.type === 'integer' && schema.minimum === 10_000_000) {
      return mixed(fc.constantFrom(...PRICED.map(Number)));
    }
    if (path === 'sender') return mixed(fc.constantFrom('MegaShop', ' SMSgic '));
    if (path === 'country_id') return mixed(fc.constantFrom(...countryIds));
    if (path === 'id') return mixed(fc.nat().map((i) => sendingIds[i % sendingIds.length]));
    if (path === 'idempotency-key') return fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength: 255 });
    return undefined;
  };

  function validInput(op: Operation): fc.Arbitrary<Input> {
    const part = (where: Parameter['in']) => {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const p of op.parameters.filter((q) => q.in === where)) {
        model[p.name] = validValue(p.schema, hint, p.name);
        if (p.required) required.push(p.name);
      }
      return fc.record(model, { requiredKeys: required });
    };
    return fc
      .record({
        params: part('path'),
        query: part('query'),
        headers: part('header'),
        body: op.body ? (validValue(op.body, hint) as fc.Arbitrary<Record<string, unknown>>) : fc.constant(undefined),
        token: fc.constant(true),
        form: fc.boolean(),
      })
      .map((input) => {
        // A dependent parameter comes with what it depends on: drop it when that is missing.
        for (const [name, needs] of Object.entries(op.dependentRequired)) {
          if (needs.some((n) => input.query[n] === undefined || input.query[n] === '')) delete input.query[name];
        }
        return input;
      });
  }

  /** A valid input with one part broken: a field of the wrong type or out of bounds, a required one missing, … */
  function brokenInput(op: Operation): fc.Arbitrary<Input> {
    const targets: string[] = op.parameters.map((p) => `${p.in}:${p.name}`);
    for (const name of Object.keys(op.body?.properties ?? {})) targets.push(`body:${name}`);
    if (op.body) targets.push('body');
    if (op.authenticated) targets.push('token');
    if (targets.length === 0) return validInput(op);
    return fc.tuple(validInput(op), fc.constantFrom(...targets), fc.boolean(), fc.nat()).chain(([input, target]) => {
      if (target === 'token') return fc.constant({ ...input, token: false });
      if (target === 'body') {
        // The whole body: no fields at all, or JSON that is no object.
        return fc
          .constantFrom<unknown>({}, [], [input.body], 'text', 42, null, true)
          .map((body) => ({ ...input, body: body as Record<string, unknown> }));
      }
      const [where, name] = target.split(':') as [string, string];
      const parameter = op.parameters.find((p) => p.in === where && p.name === name);
      const schema = parameter?.schema ?? op.body?.properties?.[name] ?? {};
      const required = parameter?.required === true || (where === 'body' && op.body?.required?.includes(name));
      const broken = fc.oneof(
        { weight: 4, arbitrary: brokenValue(schema) },
        { weight: required ? 1 : 0, arbitrary: fc.constant(undefined) },
      );
      return broken.map((value) => {
        // Parameters travel as text: a broken one is its text form (objects have none).
        const text =
          value === undefined || value === null || typeof value === 'object' ? undefined : String(value).trim();
        if (where === 'body') return { ...input, body: { ...input.body, [name]: value } };
        const key = where === 'path' ? 'params' : where === 'query' ? 'query' : 'headers';
        const next = { ...input[key] };
        // An empty query value is read as an absent one, as HTML forms send them.
        if (text === undefined || text === '') delete next[name];
        else if (where === 'path') next[name] = percentEncoded(text);
        // Header values are Latin-1 text without control characters, or no request can carry them.
        else if (where === 'header') next[name] = text.replace(/[^\x20-\x7e]/g, '?');
        else next[name] = text;
        if (where === 'path' && next[name] === undefined) next[name] = 'x';
        return { ...input, [key]: next };
      });
    });
  }

  /** Whether the input is valid by the document alone; null when it is, else why not. */
  function schemaProblem(op: Operation, input: Input): string | null {
    if (op.authenticated && !input.token) return 'no bearer token';
    for (const p of op.parameters) {
      const where = p.in === 'path' ? input.params : p.in === 'query' ? input.query : input.headers;
      const raw = where[p.name];
      if (raw === undefined || (p.in === 'query' && raw === '')) {
        if (p.required) return `${p.name} is missing`;
        continue;
      }
      const value = typeof raw === 'string' ? deserialized(p.schema, raw) : raw;
      const validate = validator(p.schema);
      if (!validate(value)) return `${p.in} ${p.name}: ${ajv.errorsText(validate.errors)}`;
    }
    for (const [name, needs] of Object.entries(op.dependentRequired)) {
      const present = (n: string) => input.query[n] !== undefined && input.query[n] !== '';
      if (present(name) && !needs.every(present)) return `${name} needs ${needs.join(', ')}`;
    }
    if (op.body) {
      const validate = validator(op.body);
      if (!validate(input.body ?? {})) return `body: ${ajv.errorsText(validate.errors)}`;
    }
    return null;
  }

  async function send(op: Operation, input: Input) {
    const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => String(input.params[name]));
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(input.query)) if (value !== undefined) query.set(name, String(value));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.headers)) if (value !== undefined) headers[name] = String(value);
    if (input.token) headers.authorization = acme.headers.authorization;
    const form = input.form ? formOf(input.body) : undefined;
    if (input.body !== undefined) {
      headers['content-type'] = form === undefined ? 'application/json' : 'application/x-www-form-urlencoded';
    }
    const res = await api.app.inject({
      method: op.method as 'GET' | 'POST',
      url: `${path}${query.size > 0 ? `?${query}` : ''}`,
      headers,
      ...(input.body !== undefined && { payload: form ?? JSON.stringify(input.body) }),
    });
    if (op.id === 'POST /sendings' && res.statusCode === 200) sendingIds.push(res.json().sending_id);
    return res;
  }

  /** Why the answer breaks the document, or null. */
  function answerProblem(op: Operation, status: number, contentType: string, body: string): string | null {
    if (status >= 500 && !(op.id === 'GET /status' && status === 503)) return `status ${status}: ${body}`;
    const documented = op.responses[String(status)];
    if (!documented) return `status ${status} is not documented: ${body.slice(0, 200)}`;
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return `status ${status} has no documented body`;
    if (!contentType.startsWith('application/json')) return `content-type ${contentType}`;
    const validate = validator(schema);
    if (!validate(JSON.parse(body)))
      return `body of ${status}: ${ajv.errorsText(validate.errors)}: ${body.slice(0, 200)}`;
    return null;
  }

  /** Why a schema-valid input's answer is a refusal the schema should have predicted, or null. */
  function refusalOfValid(op: Operation, status: number, body: string): string | null {
    if (status >= 200 && status < 300) return null;
    // The id is well formed but names no sending of the account; the number is not on the account's list.
    if (status === 404 && (op.path.includes('{id}') || op.path.includes('{phone}'))) return null;
    if (status === 422) {
      const texts = Object.values((JSON.parse(body) as { errors: Record<string, string[]> }).errors).flat();
      const stateless = texts.filter((t) => !DATA_RULES.some((rule) => rule.test(t)));
      return stateless.length === 0 ? null : `refused by rules the schema does not state: ${stateless.join(' | ')}`;
    }
    return `refused with ${status}: ${body.slice(0, 200)}`;
  }

  it('every operation of the document is fuzzed', () => {
    expect(operations.map((op) => op.id).sort()).toEqual(
      [
        'GET /balance',
        'GET /rates',
        'GET /senders',
        'GET /sendings',
        'GET /sendings/{id}',
        'GET /sendings/{id}/messages',
        'GET /status',
        'POST /sendings',
        'POST /sendings/calculate',
        'POST /sendings/{id}/cancel',
        'GET /suppressions',
        'POST /suppressions',
        'GET /suppressions/{phone}',
        'DELETE /suppressions/{phone}',
        'GET /numbers',
        'GET /inbound',
      ].sort(),
    );
  });

  it('accepts the inputs its request schemas call valid (a refusal only by a data rule)', {
    timeout: 120_000,
  }, async () => {
    const accepted = new Map<string, number>();
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(validInput(op), async (input) => {
          const problem = schemaProblem(op, input);
          // The generator follows the schema's keywords; where branches overlap its output is checked, not trusted.
          fc.pre(problem === null);
          const res = await send(op, input);
          const why =
            answerProblem(op, res.statusCode, String(res.headers['content-type']), res.body) ??
            refusalOfValid(op, res.statusCode, res.body);
          expect(why, `${op.id} ${JSON.stringify(input).slice(0, 400)}`).toBeNull();
          if (res.statusCode === 200) accepted.set(op.id, (accepted.get(op.id) ?? 0) + 1);
        }),
        { seed: SEED, numRuns: VALID_RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
    // Not only data refusals: every operation took some of the generated inputs.
    expect(operations.filter((op) => !accepted.get(op.id)).map((op) => op.id)).toEqual([]);
  });

  it('answers valid and broken inputs with documented statuses and bodies, and refuses exactly the schema-invalid', {
    timeout: 120_000,
  }, async () => {
    for (const op of operations) {
      const inputs = fc.oneof(validInput(op), brokenInput(op));
      await fc.assert(
        fc.asyncProperty(inputs, async (input) => {
          const problem = schemaProblem(op, input);
          const res = await send(op, input);
          const contract = answerProblem(op, res.statusCode, String(res.headers['content-type']), res.body);
          const agreement =
            problem === null
              ? refusalOfValid(op, res.statusCode, res.body)
              : res.statusCode >= 200 && res.statusCode < 300
                ? `accepted though the schema refuses it (${problem})`
                : null;
          expect(contract ?? agreement, `${op.id} ${JSON.stringify(input).slice(0, 400)}`).toBeNull();
        }),
        { seed: SEED + 1, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    }
  });
});
