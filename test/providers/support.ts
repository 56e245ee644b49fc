// Setup shared by the HTTP provider tests: messages, loopback webhooks, routers over one adapter, dispatch until done.
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, expect } from 'vitest';
import type { DeliveryReport, OutgoingMessage, ProviderAdapter } from '../../src/dispatch/provider.js';
import { createRegistry, type ProviderRegistry } from '../../src/dispatch/registry.js';
import { createRouter, type Router } from '../../src/dispatch/router.js';
import type { Dispatcher } from '../../src/dispatch/worker.js';
import { splitParts } from '../../src/domain/gsm.js';
import { installBodyParsers } from '../../src/http/body.js';
import { installErrorHandling } from '../../src/http/errors.js';
import type { WebhookDeps } from '../../src/http/routes/webhooks/provider.js';
import type { Db } from '../../src/store/db.js';
import { applyReports } from '../../src/store/reports.js';
import { eventually, statusOf } from '../dispatch/support.js';

/** A signal that never aborts. */
export const never = new AbortController().signal;

/** Registers an afterEach that runs what `defer` was given, newest first; returns `defer`. */
export function deferredCleanups(): (cleanup: () => Promise<void>) => void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}

/** One message as the worker hands it over: the text cut into parts, first attempt. */
export function outgoing(
  reference: string | number,
  recipient: string,
  text = 'Your code is 1234',
  sender = 'SMSgic',
): OutgoingMessage {
  const { encoding, parts } = splitParts(text);
  return { reference: String(reference), recipient, sender, text, encoding, parts, attempt: 1 };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type InstallWebhook = (app: FastifyInstance, deps: WebhookDeps) => Promise<void>;

export interface RecordingWebhook {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly ingested: DeliveryReport[];
  /** Log lines at warn and above. */
  readonly warnings: string[];
}

/**
 * A Fastify app with the API's body parsers and one provider's webhook on loopback, recording what it ingests (which
 * must be for `provider`). PUBLIC_URL is `publicUrl`, else the app's own address.
 */
export async function recordingWebhook(options: {
  readonly provider: string;
  readonly install: InstallWebhook;
  readonly providers: WebhookDeps['providers'];
  readonly publicUrl?: string;
  readonly defer: (cleanup: () => Promise<void>) => void;
}): Promise<RecordingWebhook> {
  const ingested: DeliveryReport[] = [];
  const warnings: string[] = [];
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => warnings.push(line) } } });
  await installBodyParsers(app, 1024 * 1024);
  let publicUrl = options.publicUrl ?? 'http://127.0.0.1';
  await options.install(app, {
    ingest: async (provider, reports) => {
      expect(provider).toBe(options.provider);
      ingested.push(...reports);
    },
    providers: options.providers,
    get publicUrl() {
      return publicUrl;
    },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  if (options.publicUrl === undefined) publicUrl = url;
  options.defer(() => app.close());
  return { app, url, ingested, warnings };
}

/**
 * A provider's webhook on loopback storing what it receives in `db`, as the API does. Its address is its PUBLIC_URL
 * unless `publicUrl` is given; `errorHandling` installs the API's error answers too.
 */
export async function storingWebhook(
  db: Db,
  install: InstallWebhook,
  providers: WebhookDeps['providers'],
  options: { readonly publicUrl?: string; readonly errorHandling?: boolean } = {},
): Promise<{ readonly app: FastifyInstance; readonly url: string }> {
  const app = Fastify();
  if (options.errorHandling) installErrorHandling(app);
  await installBodyParsers(app, 1024 * 1024);
  let publicUrl = options.publicUrl ?? '';
  await install(app, {
    ingest: async (provider, reports) => {
      await applyReports(
        db,
        db.nowUs(),
        reports.map((report) => ({ provider, ...report })),
      );
    },
    providers,
    get publicUrl() {
      return publicUrl;
    },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  if (options.publicUrl === undefined) publicUrl = url;
  return { app, url };
}

/** A registry holding `adapter`, and a router sending every message to it by default. */
export function routerOver(
  adapter: ProviderAdapter,
  clockUs: () => number,
): { readonly registry: ProviderRegistry; readonly router: Router } {
  const registry = createRegistry({ clockUs, adapters: [adapter] });
  return { registry, router: createRouter(registry, { routes: [], defaultProviders: [adapter.name] }) };
}

/** Runs the dispatcher until the sending is Completed; throws after `timeoutMs`. */
export async function dispatchUntilCompleted(
  dispatcher: Dispatcher,
  db: Db,
  sending: { readonly accountId: number; readonly sendingId: number },
  timeoutMs: number,
  what: string,
): Promise<void> {
  await eventually(
    async () => {
      await dispatcher.runOnce();
      return (await statusOf(db, sending.accountId, sending.sendingId)) === 'Completed';
    },
    timeoutMs,
    what,
  );
}
