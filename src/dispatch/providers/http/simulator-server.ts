// What the loopback HTTP provider simulators share: the server, requests read and kept, scripted faults, reports posted.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { withTimeout } from './transport.js';

/** A request as a simulator read it, for tests that pin it. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query string as sent. */
  readonly url: string;
  /** The path alone. */
  readonly path: string;
  /** Repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What every loopback simulator offers: where it listens, what it counted and read, its script, its end. */
export interface LoopbackSimulator<Stats, Script> {
  readonly port: number;
  /** Base URL to give as the provider's base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly stats: Stats;
  readonly received: readonly ReceivedRequest[];
  /** Switches faults and behaviours on at run time; each call replaces the fields it gives. */
  script(script: Script): void;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) lets the system choose. */
  readonly port?: number;
}

export interface RecordingListenOptions extends ListenOptions {
  /** Delay before each answer, as a network and service would add. Default 0. */
  readonly responseDelayMs?: number;
  /** Keep every request read in `received`, for tests that pin them. */
  readonly record?: boolean;
}

/** Answer the next `requests` sends with this 5xx (default 500) and take nothing; `Retry-After` when given. */
export interface FailRule {
  readonly requests: number;
  readonly status?: number;
  readonly retryAfterS?: number;
}

/** Answer the next `requests` sends with 429 and, when given, `Retry-After`. */
export interface ThrottleRule {
  readonly requests: number;
  readonly retryAfterS?: number;
}

/** Never answer the next `requests` sends; with `process` (the default) their messages are taken first. */
export interface SilenceRule {
  readonly requests: number;
  readonly process?: boolean;
}

/** What a simulated send endpoint counts. */
export interface SendStats {
  requests: number;
  unauthorized: number;
  invalid: number;
  failed: number;
  throttled: number;
  silenced: number;
  accepted: number;
  rejected: number;
  /** Messages taken per recipient: "sent once" is 1 everywhere. */
  readonly acceptedByRecipient: Map<string, number>;
}

/** Counters of a send endpoint, all at zero. */
export function sendStats(): SendStats {
  return {
    requests: 0,
    unauthorized: 0,
    invalid: 0,
    failed: 0,
    throttled: 0,
    silenced: 0,
    accepted: 0,
    rejected: 0,
    acceptedByRecipient: new Map(),
  };
}

export function receivedRequest(request: IncomingMessage, body: string): ReceivedRequest {
  const url = request.url ?? '/';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: request.method ?? '', url, path: url.split('?')[0] ?? '/', headers, body };
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** The `Retry-After` header a scripted failure gives, if any. */
export function retryAfterHeader(retryAfterS: number | undefined): Record<string, string> {
  return retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {};
}

/** One more for `key`: "sent once" is 1 everywhere. */
export function countUp(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** A scripted behaviour for the next `requests` requests: given, cleared (null) or left as it is (undefined). */
export class Countdown<T extends { readonly requests: number }> {
  #rule: T | null = null;
  #left = 0;
  set(rule: T | null | undefined): void {
    if (rule === undefined) return;
    this.#rule = rule;
    this.#left = rule?.requests ?? 0;
  }
  /** The rule when it still applies to this request, which it then counts. */
  next(): T | null {
    if (this.#rule === null || this.#left <= 0) return null;
    this.#left--;
    return this.#rule;
  }
}

export interface LoopbackOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 (the default) lets the system choose. */
  readonly port?: number;
  /** A larger body is handed over as null. Default: no limit. */
  readonly bodyBytesMax?: number;
  /** Delay before each request is handled, as a network and service would add. Default 0. */
  readonly responseDelayMs?: number;
  /** Called as each request arrives, before its body is read. */
  readonly onRequest?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Answers a request whose handling threw. Default: 500 without a body. */
  readonly onError?: (response: ServerResponse, error: unknown) => void;
}

/** A request with its body read; the body is null when larger than `bodyBytesMax`. */
export type Handler = (request: IncomingMessage, response: ServerResponse, body: string | null) => void | Promise<void>;

export interface LoopbackServer {
  readonly server: Server;
  readonly port: number;
  /** http://127.0.0.1:<port>. */
  readonly url: string;
  /** Aborted at close: reports stop being posted. */
  readonly closing: AbortSignal;
  /** Runs `fn` in `ms`, unless closed first. */
  later(fn: () => void, ms: number): void;
  /** Keeps a report delivery (or any work left running) until it ends; close waits for it. */
  track(promise: Promise<void>): void;
  /** Resolves once no timer or delivery is left and `pending` (if given) says nothing more is due. */
  settled(pending?: () => boolean): Promise<void>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage, bytesMax: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= bytesMax) chunks.push(chunk);
    });
    request.on('end', () => resolve(bytes > bytesMax ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts an HTTP server on loopback that reads each request's body and hands it to `handle`. */
export async function startLoopbackServer(handle: Handler, options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const bodyBytesMax = options.bodyBytesMax ?? Number.POSITIVE_INFINITY;
  const responseDelayMs = options.responseDelayMs ?? 0;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const closing = new AbortController();

  function later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  function run(request: IncomingMessage, response: ServerResponse, body: string | null): void {
    Promise.resolve()
      .then(() => handle(request, response, body))
      .catch((error: unknown) => {
        if (response.headersSent) return;
        if (options.onError) options.onError(response, error);
        else response.writeHead(500).end();
      });
  }

  const server = createServer((request, response) => {
    options.onRequest?.(request, response);
    readBody(request, bodyBytesMax).then(
      (body) => {
        if (responseDelayMs > 0) later(() => run(request, response, body), responseDelayMs);
        else run(request, response, body);
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    server,
    port: address.port,
    url: `http://${host}:${address.port}`,
    closing: closing.signal,
    later,
    track(promise) {
      running.add(promise);
      void promise.finally(() => running.delete(promise));
    },
    async settled(pending) {
      while (timers.size > 0 || running.size > 0 || pending?.()) await sleep(5);
    },
    async close() {
      closing.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Requests left unanswered on purpose (silence) end with their connections.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...running]);
    },
  };
}

export interface DeliveryOptions {
  /** Tries in all, `retryDelayMs` apart, until one is taken. */
  readonly attemptsMax: number;
  readonly retryDelayMs: number;
  readonly timeoutMs: number;
  /** Stops trying (the simulator closes). */
  readonly signal: AbortSignal;
  /** Which answers count as taken. Default: 2xx. */
  readonly taken?: (status: number) => boolean;
}

/** Posts a report to a webhook, again after a failure (not taken, no answer); whether it was taken, after how many tries. */
export async function deliverReport(
  url: string,
  init: { readonly headers: Record<string, string>; readonly body: string },
  options: DeliveryOptions,
): Promise<{ readonly delivered: boolean; readonly requests: number }> {
  const taken = options.taken ?? ((status: number) => status >= 200 && status < 300);
  let requests = 0;
  while (requests < options.attemptsMax && !options.signal.aborted) {
    requests++;
    try {
      const status = await withTimeout(options.signal, options.timeoutMs, async (signal) => {
        const response = await fetch(url, { method: 'POST', ...init, signal });
        await response.body?.cancel().catch(() => {});
        return response.status;
      });
      if (taken(status)) return { delivered: true, requests };
    } catch {
      // Unreachable for now: tried again below.
    }
    if (requests < options.attemptsMax) {
      await sleep(options.retryDelayMs, undefined, { signal: options.signal }).catch(() => {});
    }
  }
  return { delivered: false, requests };
}
