// Request bodies: JSON, form-urlencoded and multipart alike become one plain object of fields.
import multipart, { type FastifyMultipartOptions } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import { unprocessable } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

class BodyError extends Error {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Levels of arrays and objects a JSON body or query may nest. The contract's requests use two; what goes far deeper
 * only serves to exhaust the stack of whatever walks it later (JSON.stringify, validation, logging).
 */
export const JSON_DEPTH_MAX = 32;

/** The top-level field under which `value` nests deeper than JSON_DEPTH_MAX (`body` for an array body), or null. */
function tooDeepField(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  // Walked with a stack of its own: a recursive walk is what such a value would overflow.
  const stack: [object, number, string][] = [];
  const push = (child: unknown, depth: number, field: string) => {
    if (child !== null && typeof child === 'object') stack.push([child, depth, field]);
  };
  if (Array.isArray(value)) for (const child of value) push(child, 2, 'body');
  else for (const [key, child] of Object.entries(value)) push(child, 2, key);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth, field] = next;
    if (depth > JSON_DEPTH_MAX) return field;
    for (const child of Array.isArray(node) ? node : Object.values(node)) push(child, depth + 1, field);
  }
  return null;
}

/** A 422 on the field of `value` that nests deeper than JSON_DEPTH_MAX, as the field rules answer a bad value. */
function refuseTooDeep(value: unknown): void {
  const field = tooDeepField(value);
  if (field !== null) throw unprocessable(new ValidationErrors().add(field, ruleText.nestedTooDeep(field)));
}

function parseJson(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new BodyError('request body is not UTF-8', 'FST_ERR_CTP_INVALID_JSON_BODY');
  }
  // An empty body is no fields at all, as a client that sends none expects: the field rules then answer.
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError('request body is not JSON', 'FST_ERR_CTP_INVALID_JSON_BODY');
  }
  refuseTooDeep(value);
  return value;
}

class BodyTooLarge extends Error {
  readonly statusCode = 413;
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';
  constructor() {
    super('request body is too large');
  }
}

/**
 * `a[]=1&a[]=2` and `a[0]=1` become arrays under `a`, as PHP-style clients send them; so does a key repeated without
 * brackets (`a=1&a=2`), as HTML forms, Python's requests, Go's url.Values and curl's repeated -d/-F send a list. A key
 * given once without brackets stays a single value.
 */
export function foldBracketKeys(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const bracket = /^([^[\]]+)\[(\d*)\]$/.exec(key);
    const name = bracket ? (bracket[1] as string) : key;
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') continue;
    const previous = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (previous === undefined) fields[name] = bracket ? [value] : value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }
  return fields;
}

function parseForm(raw: Buffer): Record<string, unknown> {
  return foldBracketKeys(new URLSearchParams(raw.toString('utf8')));
}

/** Methods whose requests Fastify reads no body of: no multipart body ever reaches their routes. */
const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * @fastify/multipart on the app (its parser and request methods serve every route, as the plugin itself would), except
 * for its two per-request hooks: they only delete the files a route saved to disk, and are added to the routes that can
 * receive a body. GET and HEAD requests, which carry none Fastify would read, run none of them.
 */
async function installMultipart(app: FastifyInstance, options: FastifyMultipartOptions): Promise<void> {
  const onRequest: onRequestHookHandler[] = [];
  const onResponse: onResponseHookHandler[] = [];
  const addHook = (name: string, hook: never) => {
    if (name === 'onRequest') onRequest.push(hook);
    else if (name === 'onResponse') onResponse.push(hook);
    else app.addHook(name as 'preValidation', hook);
    return scope;
  };
  // The app itself, but for where the plugin's hooks go.
  const scope: FastifyInstance = Object.create(app, { addHook: { value: addHook } });
  await new Promise<void>((done, fail) => multipart(scope, options, (error) => (error ? fail(error) : done())));
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().every((method) => BODILESS_METHODS.has(method))) return;
    route.onRequest = [...(route.onRequest === undefined ? [] : [route.onRequest].flat()), ...onRequest];
    route.onResponse = [...(route.onResponse === undefined ? [] : [route.onResponse].flat()), ...onResponse];
  });
}

export async function installBodyParsers(app: FastifyInstance, bodyLimitBytes: number): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_req, body, done) => {
    try {
      done(null, parseJson(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (_req, body, done) => done(null, parseForm(body as Buffer)),
  );
  // Anything else: JSON when it looks like JSON (clients that forget the header), else a form.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_req, body, done) => {
    const buffer = body as Buffer;
    const first = buffer.toString('utf8', 0, Math.min(buffer.length, 64)).trimStart()[0];
    try {
      done(null, first === '{' || first === '[' ? parseJson(buffer) : parseForm(buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  await installMultipart(app, {
    // busboy cuts a longer field or file short; the hook below refuses it, and counts all parts against the limit.
    limits: {
      fieldSize: bodyLimitBytes,
      fileSize: bodyLimitBytes,
      fields: Number.POSITIVE_INFINITY,
      files: Number.POSITIVE_INFINITY,
      parts: Number.POSITIVE_INFINITY,
    },
  });
  // Multipart bodies are streamed past Fastify's own body limit, so the limit is enforced here as they are read.
  // Callback style: the requests without a multipart body (nearly all) pass without a promise.
  app.addHook('preValidation', (request, _reply, done) => {
    if (!request.isMultipart()) {
      done();
      return;
    }
    readMultipart(request, bodyLimitBytes).then(() => done(), done);
  });
}

/** Reads a multipart body into request.body as fields, refusing one past the body limit. */
async function readMultipart(request: FastifyRequest, bodyLimitBytes: number): Promise<void> {
  if (Number(request.headers['content-length']) > bodyLimitBytes) throw new BodyTooLarge();
  const entries: [string, unknown][] = [];
  let bytes = 0;
  try {
    for await (const part of request.parts()) {
      bytes += Buffer.byteLength(part.fieldname);
      if (part.type === 'file') {
        // An uploaded file is no field (as Laravel's input() leaves files out): read past it, counting its bytes.
        for await (const chunk of part.file) bytes += (chunk as Buffer).length;
        if (part.file.truncated || bytes > bodyLimitBytes) throw new BodyTooLarge();
        continue;
      }
      bytes += Buffer.byteLength(String(part.value));
      if (part.valueTruncated || bytes > bodyLimitBytes) throw new BodyTooLarge();
      // A name busboy cut short (over 100 bytes) is no field of ours.
      if (!part.fieldnameTruncated) entries.push([part.fieldname, part.value]);
    }
  } catch (error) {
    // busboy's own complaints (no boundary, a body cut short) are the client's doing, not a fault of ours.
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) throw error;
    throw new BodyError('multipart body is malformed', 'FST_ERR_MULTIPART_MALFORMED');
  }
  request.body = foldBracketKeys(entries);
}

/**
 * The request's fields: the body's, and on GET (or a body-less request) the query string's. A query string that is a
 * JSON object (what `curl -G -d '{…}'` sends, as the published examples do) is read as that object.
 */
export function requestFields(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const rawQuery = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
  if (rawQuery === '') return fromBody;
  let decoded = rawQuery;
  try {
    decoded = decodeURIComponent(rawQuery);
  } catch {
    // Not percent-decodable: read it as an ordinary query string below.
  }
  if (decoded.trimStart().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoded);
    } catch {
      // Fall through to the ordinary query string.
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      refuseTooDeep(parsed);
      return { ...(parsed as Record<string, unknown>), ...fromBody };
    }
  }
  return { ...foldBracketKeys(new URLSearchParams(rawQuery)), ...fromBody };
}
