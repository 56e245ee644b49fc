// The public API built as production builds it (bootstrap, services, buildApp) on a test database, with funded accounts.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { loadConfig, providerNotes } from '../../src/config.js';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { providerCatalog } from '../../src/dispatch/registry.js';
import { parseMoney, parsePercentPpm } from '../../src/domain/money.js';
import type { SendingType } from '../../src/domain/sending.js';
import { buildApp } from '../../src/http/app.js';
import { availableTypes } from '../../src/server.js';
import { createApiServices } from '../../src/services/api-services.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { createAccount } from '../../src/store/accounts.js';
import type { Db } from '../../src/store/db.js';
import { credit } from '../../src/store/ledger.js';
import { addSender } from '../../src/store/senders.js';
import { createToken } from '../../src/store/tokens.js';
import type { WorkSignal } from '../../src/store/work-signal.js';

export interface ApiAppOptions {
  /** Environment the configuration is read from, as `npm start` reads process.env; empty by default. */
  readonly env?: NodeJS.ProcessEnv;
  readonly rateLimitPerMinute?: number;
  readonly calculateRateLimitPerMinute?: number;
  readonly bodyLimitBytes?: number;
  readonly redis?: Redis;
  readonly logger?: FastifyServerOptions['logger'];
  readonly availableTypes?: ReadonlySet<SendingType>;
  /** Told after each stored sending, as the server tells its dispatch workers. */
  readonly workSignal?: Pick<WorkSignal, 'notify'>;
}

export interface AccountSpec {
  readonly name?: string;
  readonly currency?: string;
  /** Credited at opening, a decimal amount ("450", "449.1206"); nothing when absent. */
  readonly balance?: string;
  /** Percent, e.g. "20". */
  readonly taxRate?: string;
  /** An approved sender of the account; "MegaShop" unless given, none when null. */
  readonly sender?: string | null;
}

export interface ApiAccount {
  readonly id: number;
  readonly token: string;
  readonly tokenId: number;
  readonly sender: string | null;
  /** `Authorization: Bearer …` for inject and fetch. */
  readonly headers: { readonly authorization: string };
}

export interface ApiApp {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** Opens an account (with a token, a sender and its credit) and returns what a client of it holds. */
  account(spec?: AccountSpec): Promise<ApiAccount>;
  /** Listens on 127.0.0.1 at a free port; the base URL, e.g. "http://127.0.0.1:41234". */
  listen(): Promise<string>;
  /** Closes the server (the database stays open: it belongs to the suite). */
  close(): Promise<void>;
}

const prepared = new WeakSet<Db>();
let accounts = 0;

/** Opens an account on `db` directly, as the dashboard or the CLI would. */
export async function openAccount(db: Db, spec: AccountSpec = {}): Promise<ApiAccount> {
  const account = await createAccount(db, {
    name: spec.name ?? `account-${++accounts}`,
    currency: spec.currency ?? 'GBP',
    ...(spec.taxRate !== undefined && { taxRatePpm: parsePercentPpm(spec.taxRate) }),
  });
  if (spec.balance !== undefined) {
    const credited = await credit(db, account.id, parseMoney(spec.balance), 'opening balance');
    if (!credited.ok) throw new Error(`credit failed: ${credited.reason}`);
  }
  const sender = spec.sender === undefined ? 'MegaShop' : spec.sender;
  if (sender !== null) await addSender(db, account.id, sender, 'approved');
  const token = await createToken(db, account.id);
  return {
    id: account.id,
    token: token.token,
    tokenId: token.id,
    sender,
    headers: { authorization: `Bearer ${token.token}` },
  };
}

/** Builds the API on `db` (bootstrapped once: schema, countries, sample default rates and sender). */
export async function startApiApp(db: Db, options: ApiAppOptions = {}): Promise<ApiApp> {
  const plan = loadNumberingPlan();
  if (!prepared.has(db)) {
    await bootstrap(db, plan);
    prepared.add(db);
  }
  const config = loadConfig(options.env ?? {});
  const notes = providerNotes(config);
  const app = await buildApp({
    providers: { enabled: notes.enabled, warnings: notes.warnings },
    services: createApiServices({
      db,
      plan,
      availableTypes: options.availableTypes ?? availableTypes(config),
      providers: providerCatalog(config.providers),
      ...(options.workSignal && { workSignal: options.workSignal }),
    }),
    rateLimitPerMinute: options.rateLimitPerMinute ?? config.rateLimitPerMinute,
    calculateRateLimitPerMinute: options.calculateRateLimitPerMinute ?? config.calculateRateLimitPerMinute,
    bodyLimitBytes: options.bodyLimitBytes ?? config.bodyLimitBytes,
    ...(options.redis && { redis: options.redis }),
    logger: options.logger ?? false,
  });
  await app.ready();
  let listening = false;
  return {
    app,
    db,
    account: (spec) => openAccount(db, spec),
    async listen() {
      if (!listening) {
        await app.listen({ host: '127.0.0.1', port: 0 });
        listening = true;
      }
      const address = app.server.address() as AddressInfo;
      return `http://127.0.0.1:${address.port}`;
    },
    close: () => app.close(),
  };
}

/** A multipart/form-data body of plain fields, as browsers and curl -F send it. */
export function multipartBody(fields: readonly [string, string][]): { payload: Buffer; contentType: string } {
  const boundary = '----smsgic-boundary-7MA4YWxkTrZu0gW';
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
