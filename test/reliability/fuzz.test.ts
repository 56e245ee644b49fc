// Hostile input to every public endpoint over real HTTP (raw sockets): each answer is a contract-shaped JSON 4xx, or a
// well-formed 2xx when the input happens to be valid; never a 5xx; nothing is written unless the answer says so; the
// server stays up and Object.prototype stays clean.
import { connect } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, multipartBody, startApiApp } from '../support/http-app.js';
import { seededRandom as seeded } from '../support/random.js';

const SEED = 0x5eed_f022;
/** Requests beyond the one per endpoint and family. */
const RANDOM_REQUESTS = 260;
const DEEP_LEVELS = 10_000;
const ANSWER_TIMEOUT_MS = 20_000;
const HALF_CLOSE_AFTER_MS = 1_500;

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const between = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP: the request is written byte for byte (bad framing, CR/LF, invalid UTF-8 included), the answer parsed here.

interface RawRequest {
  readonly method: string;
  /** The request target as written on the request line. */
  readonly target: string | Buffer;
  readonly headers?: readonly (readonly [string, string | Buffer])[];
  readonly body?: Buffer;
  /** Content-Length as written; null leaves it out; absent: the body's length when there is a body. */
  readonly contentLength?: string | null;
  /** Written verbatim after the headers above (malformed header lines). */
  readonly rawHeaderLines?: Buffer;
  /** Leaves out the Host header. */
  readonly noHost?: boolean;
  readonly version?: string;
}

interface Answer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: string;
}

function encodeRequest(request: RawRequest): Buffer {
  const lines: Buffer[] = [
    Buffer.from(`${request.method} `, 'latin1'),
    Buffer.isBuffer(request.target) ? request.target : Buffer.from(request.target, 'latin1'),
    Buffer.from(
      ` ${request.version ?? 'HTTP/1.1'}\r\n${request.noHost ? '' : 'Host: 127.0.0.1\r\n'}Connection: close\r\n`,
      'latin1',
    ),
  ];
  for (const [name, value] of request.headers ?? []) {
    lines.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'));
    lines.push(Buffer.from('\r\n', 'latin1'));
  }
  const length =
    request.contentLength === undefined ? request.body && String(request.body.length) : request.contentLength;
  if (length !== null && length !== undefined) lines.push(Buffer.from(`Content-Length: ${length}\r\n`, 'latin1'));
  if (request.rawHeaderLines) lines.push(request.rawHeaderLines);
  lines.push(Buffer.from('\r\n', 'latin1'));
  if (request.body) lines.push(request.body);
  return Buffer.concat(lines);
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) throw new Error('chunked body cut short');
    const size = Number.parseInt(data.toString('latin1', at, eol).split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size in the answer');
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** Parses the last final (non-1xx) answer of a connection's bytes. */
function parseAnswer(data: Buffer): Answer {
  let rest = data;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`no complete answer: ${JSON.stringify(rest.toString('latin1').slice(0, 200))}`);
    const [statusLine = '', ...headerLines] = rest.toString('latin1', 0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    const after = rest.subarray(end + 4);
    if (status >= 100 && status < 200) {
      rest = after;
      continue;
    }
    const headers = new Map<string, string[]>();
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    const chunked = headers.get('transfer-encoding')?.some((v) => /chunked/i.test(v)) ?? false;
    const length = headers.get('content-length')?.[0];
    const body = chunked ? dechunk(after) : length !== undefined ? after.subarray(0, Number(length)) : after;
    return { status, headers, body: body.toString('utf8') };
  }
}

/** Writes the request, half-closes, and reads until the server closes. */
/**
 * Writes the request and reads until the server closes (every request says Connection: close). The write side is
 * half-closed only when no answer came for a while: Node treats a client's FIN as an abort of the request in progress,
 * but a body shorter than its Content-Length is only ever answered once the client has finished.
 */
function exchange(port: number, request: RawRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    const finish = setTimeout(() => socket.end(), HALF_CLOSE_AFTER_MS);
    let socketError = '';
    socket.on('data', (chunk: Buffer) => {
      clearTimeout(finish);
      received.push(chunk);
    });
    // A server that answers early (413, 400) may reset while the body is still being written: the answer came first.
    socket.on('error', (error) => {
      socketError = error.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(finish);
      const data = Buffer.concat(received);
      if (data.length === 0) reject(new Error(`the connection closed without an answer ${socketError}`));
      else {
        try {
          resolve(parseAnswer(data));
        } catch (error) {
          reject(error);
        }
      }
    });
    socket.write(encodeRequest(request));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// What a contract-shaped answer is.

type Shape = (body: unknown) => string | null;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
const ISO_US_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const YMD_HIS_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const listOf =
  (key: string, item: (v: unknown) => boolean): Shape =>
  (body) =>
    isObject(body) && Array.isArray(body[key]) && (body[key] as unknown[]).every(item) ? null : `not {${key}:[…]}`;

const sendingSummary = (v: unknown) =>
  isObject(v) &&
  isInt(v.id) &&
  typeof v.status === 'string' &&
  ISO_US_RE.test(String(v.updated_at)) &&
  YMD_HIS_RE.test(String(v.scheduled_at));

const SHAPES: Readonly<Record<string, Shape>> = {
  'GET /status': (b) => (JSON.stringify(b) === '["OK"]' ? null : 'not ["OK"]'),
  'GET /balance': (b) =>
    isObject(b) && /^\d+\.\d{3}$/.test(String(b.balance)) && typeof b.sign === 'string' && typeof b.code === 'string'
      ? null
      : 'not a balance',
  'GET /senders': listOf('senders', (s) => isObject(s) && isInt(s.id) && typeof s.sender === 'string'),
  'GET /rates': listOf(
    'rates',
    (r) => isObject(r) && /^\d{3}$/.test(String(r.mcc)) && typeof r.rate === 'number' && typeof r.country === 'string',
  ),
  'GET /sendings': listOf(
    'sendings',
    (s) =>
      isObject(s) && isInt(s.id) && typeof s.text === 'string' && isInt(s.total_sms) && typeof s.status === 'string',
  ),
  'GET /sendings/:id': (b) => (isObject(b) && sendingSummary(b.sending) ? null : 'not {sending}'),
  'GET /sendings/:id/messages': listOf(
    'messages',
    (m) => isObject(m) && isInt(m.id) && typeof m.recipient === 'string',
  ),
  'POST /sendings': (b) =>
    isObject(b) && b.message === 'SMS champing created' && isInt(b.sending_id) ? null : 'not a created sending',
  'POST /sendings/calculate': (b) => {
    const calc = isObject(b) && isObject(b.calculate) ? b.calculate : null;
    const info = calc && isObject(calc.info) ? calc.info : null;
    return info && isInt(info.sms_count) && typeof info.total === 'number' && Array.isArray(calc?.destinations)
      ? null
      : 'not a calculation';
  },
  'POST /sendings/:id/cancel': (b) =>
    isObject(b) &&
    sendingSummary(b.sending) &&
    (b.sending as { status: unknown }).status === 'Cancelled' &&
    typeof b.refunded === 'number'
      ? null
      : 'not a cancellation',
};

/** Why the answer breaks the contract, or null. */
function contractProblem(endpoint: string, answer: Answer): string | null {
  if (answer.status >= 500) return `status ${answer.status}`;
  if (answer.status < 200 || answer.status >= 500 || (answer.status >= 300 && answer.status < 400)) {
    return `status ${answer.status}`;
  }
  for (const name of answer.headers.keys()) {
    if (name === 'x-injected' || name === 'set-cookie') return `header ${name} in the answer`;
  }
  const type = answer.headers.get('content-type')?.[0] ?? '';
  if (!type.startsWith('application/json')) return `content-type "${type}"`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `body is not JSON: ${answer.body.slice(0, 120)}`;
  }
  if (answer.status >= 400) {
    if (!isObject(body) || typeof body.message !== 'string') return 'error without a message';
    const extra = Object.keys(body).filter((k) => k !== 'message' && k !== 'errors');
    if (extra.length > 0) return `error with extra fields ${extra.join(', ')}`;
    if (answer.status === 422) {
      if (!isObject(body.errors)) return '422 without errors';
      for (const texts of Object.values(body.errors)) {
        if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) return '422 errors not lists of texts';
      }
    } else if (body.errors !== undefined) return `${answer.status} with errors`;
    if (answer.status === 401 && body.message !== 'Unauthenticated.') return `401 says ${body.message}`;
    return null;
  }
  const shape = SHAPES[endpoint];
  if (!shape) return `no shape for ${endpoint}`;
  return shape(body);
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile inputs.

const FIELDS = [
  'message',
  'recipients',
  'sender',
  'scheduled_at',
  'type',
  'callback_url',
  'mcc',
  'mnc',
  'country',
  'country_id',
  'page',
  'per_page',
] as const;
const POLLUTERS = ['__proto__', 'constructor', 'prototype'] as const;
const KEYS = [...FIELDS, ...POLLUTERS, 'toString', 'valueOf', 'hasOwnProperty', 'recipients[]', 'polluted', 'x'];

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'MegaShop\r\nX-Injected: 1',
  'MegaShop\nSet-Cookie: a=b',
  '\r',
  '\ud800',
  '\udfff',
  '😀',
  'ж'.repeat(80),
  '%00',
  '%ff%fe',
  '../../etc/passwd',
  "' or '1'='1' --",
  '"; drop table sendings; --',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'null',
  '[]',
  '{}',
  '[[[[',
  '1e309',
  '-1',
  '0',
  '37120000000',
  '+37120000000',
  '37120000004',
  '3712000000000000000000',
  '37120000000,37120000001',
  '["37120000000"]',
  '["37120000000",',
  'NaN',
  '\u202e\ufeff',
  'a'.repeat(300),
  '2024-01-01 00:00:00',
  '2199-12-31 23:59:59',
  '9999-12-31 23:59:59',
  '0000-00-00 00:00:00',
  'default',
  'infobip',
  'SMSgic',
  'MegaShop',
  'http://127.0.0.1:1/hook',
  'javascript:alert(1)',
  '247',
  '01',
  '%',
  '_',
  '\\',
];

const NUMBERS = [0, -1, 1, 1.5, -0.0001, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 37120000000, 9007199254740991];

/** An object that really has the key (`o.__proto__ = …` would set the prototype instead). */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

function randomScalar(r: Random): unknown {
  const k = r();
  if (k < 0.1) return null;
  if (k < 0.2) return r() < 0.5;
  if (k < 0.4) return pick(r, NUMBERS);
  if (k < 0.8) return pick(r, NASTY_STRINGS);
  const alphabet = 'aZ09 ,.;:[]{}"\\/\u0000\r\n\t€ж😀\ud800';
  return Array.from({ length: between(r, 0, 40) }, () => pick(r, [...alphabet])).join('');
}

function randomValue(r: Random, depth = 0): unknown {
  const k = r();
  if (depth >= 3 || k < 0.55) return randomScalar(r);
  if (k < 0.75) return Array.from({ length: between(r, 0, 5) }, () => randomValue(r, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = between(r, 0, 5); i > 0; i--) withKey(object, pick(r, KEYS), randomValue(r, depth + 1));
  return object;
}

const VALID_SENDING = { message: 'Fuzz hello', recipients: ['37120000000'], sender: 'MegaShop' };

/** A valid body with one field replaced, one removed, or one hostile key added. */
function mutatedValid(r: Random): Record<string, unknown> {
  const body: Record<string, unknown> = { ...VALID_SENDING, recipients: [...VALID_SENDING.recipients] };
  const k = r();
  if (k < 0.5) withKey(body, pick(r, FIELDS), r() < 0.5 ? randomValue(r) : pick(r, NASTY_STRINGS));
  else if (k < 0.6) delete body[pick(r, ['message', 'recipients', 'sender'])];
  else if (k < 0.8) withKey(body, pick(r, POLLUTERS), { polluted: 'yes', prototype: { polluted: 'yes' } });
  else body.recipients = Array.from({ length: between(r, 1, 30) }, () => randomScalar(r));
  return body;
}

function deep(levels: number, inner = '1'): string {
  return '['.repeat(levels) + inner + ']'.repeat(levels);
}

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates encoded, cut-off sequences. */
const INVALID_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xfe, 0xff]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xe0, 0x80, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0x80]),
];

/** Percent-encodes every byte of the text's UTF-8 (lone surrogates too, which encodeURIComponent refuses). */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

function formBody(r: Random): Buffer {
  const pairs: Buffer[] = [];
  for (let i = between(r, 1, 8); i > 0; i--) {
    const key = pick(r, [
      ...KEYS,
      'recipients[]',
      'recipients[0]',
      '__proto__[polluted]',
      'constructor[prototype][polluted]',
      '__proto__.polluted',
      'recipients[__proto__]',
    ]);
    const value = r() < 0.2 ? pick(r, INVALID_UTF8) : Buffer.from(pct(String(randomScalar(r) ?? '')), 'latin1');
    pairs.push(Buffer.concat([Buffer.from(`${pct(key)}=`, 'latin1'), value]));
  }
  if (r() < 0.3) pairs.push(Buffer.from('%ZZ=%E0%A4%A&a=%', 'latin1'));
  return Buffer.concat(pairs.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('&'), p])));
}

function multipart(r: Random): { body: Buffer; type: string } {
  const fields: [string, string][] = [];
  for (let i = between(r, 0, 6); i > 0; i--) {
    fields.push([pick(r, [...KEYS, 'recipients[]', '__proto__[polluted]']), String(randomScalar(r) ?? '')]);
  }
  const { payload, contentType } = multipartBody(fields);
  const k = r();
  if (k < 0.2) return { body: payload.subarray(0, Math.floor(payload.length / 2)), type: contentType };
  if (k < 0.3) return { body: payload, type: 'multipart/form-data' };
  if (k < 0.4) return { body: payload, type: 'multipart/form-data; boundary=not-the-one' };
  if (k < 0.5) {
    const file = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="message"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n' +
        'file content\r\n--XyZ\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\n{"polluted":1}\r\n--XyZ--\r\n',
    );
    return { body: file, type: 'multipart/form-data; boundary=XyZ' };
  }
  return { body: payload, type: contentType };
}

const WRONG_TYPES = [
  'text/plain',
  'application/xml',
  'image/png',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  '',
  'application/json, text/html',
  ';;;',
  'application/vnd.api+json',
  '*/*',
];

const ABSURD_LENGTHS = ['99999999999999999999', '999999999999', '-1', 'abc', '1e3', '0x10', '', ' 12', '4294967297'];

const FAMILIES = [
  'json-random',
  'json-mutated',
  'form',
  'multipart',
  'bytes',
  'deep',
  'huge',
  'invalid-utf8',
  'content-type',
  'content-length',
  'header-injection',
  'auth',
  'query',
  'method',
  'protocol',
] as const;
type Family = (typeof FAMILIES)[number];

interface Endpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
}

const ENDPOINTS: readonly Endpoint[] = [
  { name: 'GET /status', method: 'GET', path: '/status' },
  { name: 'GET /balance', method: 'GET', path: '/balance' },
  { name: 'GET /senders', method: 'GET', path: '/senders' },
  { name: 'GET /rates', method: 'GET', path: '/rates' },
  { name: 'GET /sendings', method: 'GET', path: '/sendings' },
  { name: 'GET /sendings/:id', method: 'GET', path: '/sendings/:id' },
  { name: 'GET /sendings/:id/messages', method: 'GET', path: '/sendings/:id/messages' },
  { name: 'POST /sendings', method: 'POST', path: '/sendings' },
  { name: 'POST /sendings/calculate', method: 'POST', path: '/sendings/calculate' },
  { name: 'POST /sendings/:id/cancel', method: 'POST', path: '/sendings/:id/cancel' },
];

interface Ids {
  readonly own: number;
  readonly foreign: number;
  readonly pending: number;
}

function idOf(r: Random, ids: Ids): string {
  return pick(r, [
    String(ids.own),
    String(ids.own),
    String(ids.pending),
    String(ids.foreign),
    '0',
    '-1',
    '99999999999999999999',
    '9007199254740993',
    'abc',
    '1.5',
    '%00',
    '%2e%2e',
    '1%20',
    '%EF%BC%91',
    '1;2',
    `${ids.own}%2F..`,
    '__proto__',
  ]);
}

function queryOf(r: Random): string {
  const k = r();
  if (k < 0.15) return `?${pct(JSON.stringify(randomValue(r)) ?? '')}`;
  if (k < 0.3) return '?__proto__[polluted]=1&constructor[prototype][polluted]=1&__proto__.polluted=1&prototype=1';
  if (k < 0.4)
    return `?${encodeURIComponent('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}')}`;
  if (k < 0.5) return `?country=${'%ZZ'.repeat(between(r, 1, 5))}&mcc=%&mnc=%E0%A4%A`;
  const params: string[] = [];
  for (let i = between(r, 1, 5); i > 0; i--) {
    const key = pick(r, [...KEYS, 'mcc[]', 'page[]', 'country[x]']);
    params.push(`${r() < 0.5 ? key : pct(key)}=${pct(String(randomScalar(r) ?? ''))}`);
  }
  return `?${params.join('&')}`;
}

interface Built {
  readonly request: RawRequest;
  readonly description: string;
}

function build(r: Random, endpoint: Endpoint, family: Family, account: ApiAccount, ids: Ids): Built {
  const auth: [string, string] = ['Authorization', `Bearer ${account.token}`];
  const path = endpoint.path.replace(':id', idOf(r, ids));
  const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');
  const bodyFor = (body: Buffer, type: string): RawRequest => ({
    method: endpoint.method,
    target: path,
    headers: [auth, ['Content-Type', type]],
    body,
  });
  const describe = (what: string) => `${endpoint.name} [${family}] ${what}`;
  switch (family) {
    case 'json-random': {
      const value = randomValue(r);
      return { request: bodyFor(json(value), 'application/json'), description: describe(JSON.stringify(value)) };
    }
    case 'json-mutated': {
      const value = mutatedValid(r);
      const key: [string, string][] = r() < 0.4 ? [['Idempotency-Key', `fuzz-${between(r, 1, 5)}`]] : [];
      const request = bodyFor(json(value), 'application/json');
      return {
        request: { ...request, headers: [...(request.headers ?? []), ...key] },
        description: describe(`${JSON.stringify(value)} ${key.length ? key[0]?.[1] : ''}`),
      };
    }
    case 'form': {
      const body = formBody(r);
      return {
        request: bodyFor(body, 'application/x-www-form-urlencoded'),
        description: describe(body.toString('latin1').slice(0, 200)),
      };
    }
    case 'multipart': {
      const { body, type } = multipart(r);
      return { request: bodyFor(body, type), description: describe(`${type} ${body.length} bytes`) };
    }
    case 'bytes': {
      const bytes = Buffer.from(Array.from({ length: between(r, 0, 200) }, () => between(r, 0, 255)));
      const type = pick(r, ['application/json', 'application/x-www-form-urlencoded', 'application/octet-stream']);
      return { request: bodyFor(bytes, type), description: describe(`${type} ${bytes.toString('hex').slice(0, 80)}`) };
    }
    case 'deep': {
      const where = pick(r, ['root', 'message', 'recipients', 'sender', 'unknown', 'query', 'object']);
      const text =
        where === 'root'
          ? deep(DEEP_LEVELS)
          : where === 'object'
            ? `${'{"a":'.repeat(DEEP_LEVELS)}1${'}'.repeat(DEEP_LEVELS)}`
            : `{"message":"Hi","recipients":["37120000000"],"sender":"MegaShop","${where}":${deep(DEEP_LEVELS)}}`;
      const key: [string, string][] = r() < 0.5 ? [['Idempotency-Key', 'fuzz-deep']] : [];
      if (where === 'query') {
        // The request line has to fit Node's 16 KiB header limit: as deep as fits.
        const query = encodeURIComponent(`{"recipients":${deep(1_500)}}`);
        return {
          request: { method: endpoint.method, target: `${path}?${query}`, headers: [auth, ...key] },
          description: describe('query nested 1,500 levels'),
        };
      }
      const request = bodyFor(Buffer.from(text), 'application/json');
      return {
        request: { ...request, headers: [...(request.headers ?? []), ...key] },
        description: describe(`nested ${DEEP_LEVELS} levels in ${where}${key.length ? ' with a key' : ''}`),
      };
    }
    case 'huge': {
      const k = r();
      const value =
        k < 0.25
          ? { ...VALID_SENDING, message: 'x'.repeat(1_000_000) }
          : k < 0.5
            ? { ...VALID_SENDING, recipients: Array.from({ length: 50_000 }, (_, i) => `x${i}`) }
            : k < 0.75
              ? { ...VALID_SENDING, sender: 'S'.repeat(200_000), callback_url: `http://h/${'p'.repeat(100_000)}` }
              : { ...VALID_SENDING, [`k${'e'.repeat(100_000)}`]: 'v' };
      const key: [string, string][] = r() < 0.5 ? [['Idempotency-Key', 'K'.repeat(between(r, 200, 4_000))]] : [];
      const request = bodyFor(json(value), 'application/json');
      return {
        request: { ...request, headers: [...(request.headers ?? []), ...key] },
        description: describe(`huge ${Object.keys(value).join(',')} ${key.length ? 'with a long key' : ''}`),
      };
    }
    case 'invalid-utf8': {
      const bad = pick(r, INVALID_UTF8);
      const where = pick(r, ['json', 'form', 'query', 'path', 'header']);
      if (where === 'json') {
        const body = Buffer.concat([Buffer.from('{"message":"a'), bad, Buffer.from('","recipients":["37120000000"]}')]);
        return { request: bodyFor(body, 'application/json'), description: describe(`json ${bad.toString('hex')}`) };
      }
      if (where === 'form') {
        const body = Buffer.concat([Buffer.from('message=a'), bad, Buffer.from('&recipients[]=37120000000')]);
        return {
          request: bodyFor(body, 'application/x-www-form-urlencoded'),
          description: describe(`form ${bad.toString('hex')}`),
        };
      }
      if (where === 'header') {
        return {
          request: {
            method: endpoint.method,
            target: path,
            headers: [auth, ['Idempotency-Key', bad], ['X-Request-Id', bad]],
          },
          description: describe(`headers ${bad.toString('hex')}`),
        };
      }
      const target = Buffer.concat([Buffer.from(where === 'query' ? `${path}?country=` : `${path}/`), bad]);
      return { request: { method: endpoint.method, target, headers: [auth] }, description: describe(`${where} bytes`) };
    }
    case 'content-type': {
      const type = pick(r, WRONG_TYPES);
      const body = r() < 0.5 ? json(VALID_SENDING) : formBody(r);
      return { request: bodyFor(body, type), description: describe(`"${type}"`) };
    }
    case 'content-length': {
      const length = pick(r, ABSURD_LENGTHS);
      const request = bodyFor(json(VALID_SENDING), 'application/json');
      const k = r();
      if (k < 0.2) {
        return {
          request: {
            ...request,
            contentLength: null,
            rawHeaderLines: Buffer.from('Content-Length: 5\r\nContent-Length: 9\r\n'),
          },
          description: describe('two lengths'),
        };
      }
      if (k < 0.35) {
        return {
          request: { ...request, rawHeaderLines: Buffer.from('Transfer-Encoding: chunked\r\n') },
          description: describe('length and chunked'),
        };
      }
      if (k < 0.5) {
        return {
          request: { ...request, contentLength: String((request.body?.length ?? 0) + 50) },
          description: describe('longer than the body'),
        };
      }
      return { request: { ...request, contentLength: length }, description: describe(`Content-Length "${length}"`) };
    }
    case 'header-injection': {
      const k = r();
      if (k < 0.3) {
        // Sender and other fields carrying CR/LF in a well-framed body.
        const value = {
          ...VALID_SENDING,
          sender: 'MegaShop\r\nX-Injected: 1',
          callback_url: 'http://h/\r\nX-Injected: 1',
        };
        return { request: bodyFor(json(value), 'application/json'), description: describe('CR/LF in sender') };
      }
      const bad = pick(r, [
        'a\rX-Injected: 1',
        'a\nX-Injected: 1',
        'a\r\n X-Injected: 1',
        'a\u0000b',
        'a\r\n\r\nGET / HTTP/1.1',
      ]);
      const header = pick(r, ['Idempotency-Key', 'X-Request-Id', 'Authorization', 'Content-Type', 'Accept']);
      return {
        request: {
          method: endpoint.method,
          target: path,
          headers: [auth, [header, header === 'Authorization' ? `Bearer ${account.token}${bad}` : bad]],
        },
        description: describe(`${header}: ${JSON.stringify(bad)}`),
      };
    }
    case 'auth': {
      const value = pick(r, [
        null,
        '',
        'Bearer',
        'Bearer ',
        'Bearer x',
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        `Bearer ${account.token} ${account.token}`,
        `Bearer ${account.token.slice(0, -1)}`,
        `Bearer ${account.token.toUpperCase()}`,
        `bearer\t${account.token}`,
        `Bearer ${'a'.repeat(10_000)}`,
        'Bearer smsgic_%00',
      ]);
      return {
        request: { method: endpoint.method, target: path, headers: value === null ? [] : [['Authorization', value]] },
        description: describe(`Authorization ${JSON.stringify(value)?.slice(0, 60)}`),
      };
    }
    case 'query': {
      const query = queryOf(r);
      return {
        request: { method: endpoint.method, target: `${path}${query}`, headers: [auth] },
        description: describe(query),
      };
    }
    case 'protocol': {
      const variant = pick(r, ['no host', 'expect', 'continue', 'http/1.0', 'absolute', 'asterisk', 'fragment']);
      const base: RawRequest = {
        method: endpoint.method,
        target: path,
        headers: [auth, ['Content-Type', 'application/json']],
        body: json(VALID_SENDING),
      };
      const request: RawRequest =
        variant === 'no host'
          ? { ...base, noHost: true }
          : variant === 'expect'
            ? { ...base, headers: [...(base.headers ?? []), ['Expect', '999-nonsense']] }
            : variant === 'continue'
              ? { ...base, headers: [...(base.headers ?? []), ['Expect', '100-continue']] }
              : variant === 'http/1.0'
                ? { ...base, version: 'HTTP/1.0', noHost: true }
                : variant === 'absolute'
                  ? { ...base, target: `http://evil.example${path}` }
                  : variant === 'asterisk'
                    ? { ...base, target: '*' }
                    : { ...base, target: `${path}#fragment` };
      return { request, description: describe(variant) };
    }
    case 'method': {
      const method = pick(r, [
        'PUT',
        'DELETE',
        'PATCH',
        'OPTIONS',
        endpoint.method === 'GET' ? 'POST' : 'GET',
        'TRACE',
      ]);
      return {
        request: {
          method,
          target: path,
          headers: [auth, ['Content-Type', 'application/json']],
          body: json(VALID_SENDING),
        },
        description: describe(method),
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What must not change unless the answer says it did.

interface Fingerprint {
  readonly sendings: number;
  readonly messages: number;
  readonly entries: number;
  readonly tokens: number;
  readonly senders: number;
  readonly rates: number;
  readonly accounts: number;
  readonly balances: string;
  readonly statuses: string;
}

async function fingerprint(db: Db): Promise<Fingerprint> {
  const count = async (
    table: 'sendings' | 'messages' | 'ledger_entries' | 'api_tokens' | 'senders' | 'rates' | 'accounts',
  ) =>
    Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const balances = await db.kysely.selectFrom('accounts').select(['id', 'balance_minor']).orderBy('id').execute();
  const statuses = await sql<{ id: number; status: string }>`select id, status from sendings order by id`.execute(
    db.kysely,
  );
  return {
    sendings: await count('sendings'),
    messages: await count('messages'),
    entries: await count('ledger_entries'),
    tokens: await count('api_tokens'),
    senders: await count('senders'),
    rates: await count('rates'),
    accounts: await count('accounts'),
    balances: balances.map((b) => `${b.id}:${b.balance_minor}`).join(','),
    statuses: statuses.rows.map((s) => `${s.id}:${s.status}`).join(','),
  };
}

function prototypeSnapshot(): string {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(names).join('|');
}

describeEachEngine('hostile input to every public endpoint', (engine) => {
  let api: ApiApp;
  let port = 0;
  let acme: ApiAccount;
  let other: ApiAccount;
  let ids: Ids;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    port = Number(new URL(await api.listen()).port);
    acme = await api.account({ balance: '40' });
    other = await api.account({ balance: '40', sender: 'OtherShop' });
    const create = async (account: ApiAccount, fields: object) => {
      const res = await api.app.inject({ method: 'POST', url: '/sendings', headers: account.headers, payload: fields });
      if (res.statusCode !== 200) throw new Error(res.body);
      return res.json().sending_id as number;
    };
    ids = {
      own: await create(acme, VALID_SENDING),
      foreign: await create(other, { ...VALID_SENDING, sender: 'OtherShop' }),
      pending: await create(acme, { ...VALID_SENDING, scheduled_at: '2199-01-01 00:00:00' }),
    };
  });
  afterAll(() => api.close());

  const bearer = (): [string, string] => ['Authorization', `Bearer ${acme.token}`];
  const postJson = (path: string, body: string, headers: [string, string][] = []): RawRequest => ({
    method: 'POST',
    target: path,
    headers: [bearer(), ['Content-Type', 'application/json'], ...headers],
    body: Buffer.from(body),
  });
  const one = (field: string, text: string) => ({ message: text, errors: { [field]: [text] } });

  it('answers the inputs that once made it fail with the contract answer, and stores nothing', async () => {
    const sending = (fields: object) => JSON.stringify({ ...VALID_SENDING, ...fields });
    const nested = `{"message":${deep(DEEP_LEVELS)},"recipients":["37120000000"],"sender":"MegaShop"}`;
    const used = await exchange(port, postJson('/sendings', sending({}), [['Idempotency-Key', 'used-once']]));
    expect(used.status).toBe(200);
    const cases: [string, RawRequest, number, unknown][] = [
      [
        'NUL in message',
        postJson('/sendings', sending({ message: 'a\u0000b' })),
        422,
        one('message', 'The message field format is invalid.'),
      ],
      [
        'NUL in sender',
        postJson('/sendings', sending({ sender: 'Mega\u0000Shop' })),
        422,
        one('sender', 'The selected sender is invalid.'),
      ],
      [
        'CR/LF in sender',
        postJson('/sendings', sending({ sender: 'MegaShop\r\nX-Injected: 1' })),
        422,
        one('sender', 'The selected sender is invalid.'),
      ],
      [
        'NUL in callback_url',
        postJson('/sendings', sending({ callback_url: 'https://example.com/\u0000' })),
        422,
        one('callback_url', 'The callback url field must be a valid URL.'),
      ],
      [
        'CR/LF in callback_url',
        postJson('/sendings', sending({ callback_url: 'https://example.com/\r\nX-Injected: 1' })),
        422,
        one('callback_url', 'The callback url field must be a valid URL.'),
      ],
      [
        'nested 10,000 levels with an Idempotency-Key',
        postJson('/sendings', nested, [['Idempotency-Key', 'deep-1']]),
        422,
        one('message', 'The message field is nested too deeply.'),
      ],
      [
        'nested 10,000 levels under a key already used',
        postJson('/sendings', nested, [['Idempotency-Key', 'used-once']]),
        422,
        one('message', 'The message field is nested too deeply.'),
      ],
      [
        'NUL in a country filter',
        { method: 'GET', target: '/rates?country=%00', headers: [bearer()] },
        200,
        { rates: [] },
      ],
      [
        'a country id beyond 32 bits',
        { method: 'GET', target: '/rates?country_id=2147483648', headers: [bearer()] },
        422,
        one('country_id', 'The selected country id is invalid.'),
      ],
      [
        'a lone CR in a header',
        { method: 'GET', target: '/balance', headers: [bearer(), ['Idempotency-Key', 'a\rX-Injected: 1']] },
        400,
        { message: 'Malformed HTTP request.' },
      ],
      [
        'an absurd Content-Length',
        { ...postJson('/sendings', sending({})), contentLength: '99999999999999999999' },
        400,
        { message: 'Malformed HTTP request.' },
      ],
      [
        'a Content-Length beyond the body limit',
        { ...postJson('/sendings', sending({})), contentLength: '999999999999' },
        413,
        { message: 'The request body is too large.' },
      ],
      [
        'headers over 16 KiB',
        { method: 'GET', target: '/balance', headers: [bearer(), ['X-Big', 'a'.repeat(20_000)]] },
        431,
        { message: 'The request headers are too large.' },
      ],
      [
        'HTTP/1.1 without Host',
        { method: 'GET', target: '/balance', headers: [bearer()], noHost: true },
        400,
        { message: 'Malformed HTTP request.' },
      ],
      [
        'an Expect other than 100-continue',
        { ...postJson('/sendings', sending({})), headers: [bearer(), ['Expect', '999-nonsense']] },
        417,
        { message: 'Only Expect: 100-continue is supported.' },
      ],
    ];
    const before = await fingerprint(engine.db);
    const answers = [];
    for (const [name, request] of cases) {
      const answer = await exchange(port, request);
      answers.push({ name, status: answer.status, body: JSON.parse(answer.body) as unknown });
      expect(answer.headers.get('content-type')?.[0], name).toMatch(/^application\/json/);
    }
    expect(answers).toEqual(cases.map(([name, , status, body]) => ({ name, status, body })));
    expect(await fingerprint(engine.db)).toEqual(before);
  });

  it('answers every request with contract-shaped JSON, never a 5xx, writes only what a 2xx says, and stays up', {
    timeout: 240_000,
  }, async () => {
    const r = seeded(SEED);
    const prototypes = prototypeSnapshot();
    const plan: [Endpoint, Family][] = [];
    for (const endpoint of ENDPOINTS) for (const family of FAMILIES) plan.push([endpoint, family]);
    for (let i = 0; i < RANDOM_REQUESTS; i++) plan.push([pick(r, ENDPOINTS), pick(r, FAMILIES)]);

    const failures: string[] = [];
    const knownSendings = new Set([ids.own, ids.foreign, ids.pending]);
    let before = await fingerprint(engine.db);
    const statusSeen = new Map<number, number>();
    for (const [endpoint, family] of plan) {
      const { request, description } = build(r, endpoint, family, acme, ids);
      let answer: Answer;
      try {
        answer = await exchange(port, request);
      } catch (error) {
        failures.push(`${description}: ${(error as Error).message}`);
        continue;
      }
      statusSeen.set(answer.status, (statusSeen.get(answer.status) ?? 0) + 1);
      // A wrong method on one endpoint's path may be another endpoint's (GET /sendings beside POST /sendings).
      const served =
        ENDPOINTS.find((e) => e.method === request.method && e.path === endpoint.path)?.name ?? 'wrong method';
      const problem = contractProblem(served, answer);
      if (problem) failures.push(`${description}: ${problem} — ${answer.status} ${answer.body.slice(0, 160)}`);

      const after = await fingerprint(engine.db);
      const ok = answer.status >= 200 && answer.status < 300;
      if (ok && served === 'POST /sendings') {
        const id = (JSON.parse(answer.body) as { sending_id: number }).sending_id;
        const replay = knownSendings.has(id);
        knownSendings.add(id);
        const grew = after.sendings - before.sendings;
        if (grew !== (replay ? 0 : 1))
          failures.push(`${description}: 200 for sending ${id} but ${grew} sendings stored`);
      } else if (ok && served === 'POST /sendings/:id/cancel') {
        if (after.sendings !== before.sendings || after.messages !== before.messages) {
          failures.push(`${description}: a cancel changed the sendings stored`);
        }
      } else if (JSON.stringify(after) !== JSON.stringify(before)) {
        failures.push(
          `${description}: ${answer.status} but the database changed: ${JSON.stringify({ before, after })}`,
        );
      }
      before = after;
      if (prototypeSnapshot() !== prototypes || ({} as Record<string, unknown>).polluted !== undefined) {
        failures.push(`${description}: Object.prototype polluted`);
      }
    }

    expect(failures.slice(0, 25), `${failures.length} failures`).toEqual([]);
    // The inputs reached the handlers, not only the parsers: validation answered, and some were valid.
    expect(statusSeen.get(422)).toBeGreaterThan(20);
    expect(statusSeen.get(200)).toBeGreaterThan(10);

    const status = await exchange(port, { method: 'GET', target: '/status' });
    expect({ status: status.status, body: status.body }).toEqual({ status: 200, body: '["OK"]' });
    const balance = await exchange(port, {
      method: 'GET',
      target: '/balance',
      headers: [['Authorization', `Bearer ${acme.token}`]],
    });
    expect(balance.status).toBe(200);
  });
});
