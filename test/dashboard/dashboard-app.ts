// The platform's HTTP app with the dashboard, built as production builds it, and a browser-like client of its JSON API.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { providerCatalog } from '../../src/dispatch/registry.js';
import { describeText } from '../../src/domain/texts.js';
import { buildApp } from '../../src/http/app.js';
import type { ErrorBody, Me } from '../../src/http/dashboard/contract.js';
import { availableTypes } from '../../src/server.js';
import { createApiServices } from '../../src/services/api-services.js';
import { bootstrap } from '../../src/services/bootstrap.js';
import { createDashboardServices } from '../../src/services/dashboard.js';
import { hashPassword } from '../../src/services/passwords.js';
import type { Db } from '../../src/store/db.js';
import type { LoginLimits } from '../../src/store/login-failures.js';
import { createAdmin } from '../../src/store/users.js';
import { openAccount } from '../support/http-app.js';

export interface DashboardAppOptions {
  /** The built web client's folder; a folder without a build when absent. */
  readonly webRoot?: string;
  readonly loginLimits?: LoginLimits;
  readonly rateLimitPerMinute?: number;
  readonly dashboardRateLimitPerMinute?: number;
  readonly trustProxy?: boolean;
}

export interface DashboardApp {
  readonly app: FastifyInstance;
  readonly db: Db;
  /** A browser with no session yet. */
  browser(): Browser;
  /** A new customer, signed up through the API and signed in. */
  customer(spec?: { readonly currency?: string; readonly company?: string }): Promise<Browser>;
  /** A platform operator (as `smsgic admin create` adds one), signed in. */
  admin(): Promise<Browser>;
  close(): Promise<void>;
}

const prepared = new WeakSet<Db>();
let users = 0;

export const PASSWORD = 'correct horse battery';

/**
 * An error answer whose `json()` gives its words alone: each code and its parameters are checked here against the
 * words they stand beside (test/dashboard/server-texts.test.ts tests them in full), then left out, so that a test
 * compares the words it is about. `body` stays the answer as sent.
 */
function wordsOnly(response: LightMyRequestResponse): LightMyRequestResponse {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return response;
  }
  if (body === null || typeof body !== 'object' || typeof (body as { message?: unknown }).message !== 'string') {
    return response;
  }
  const { code, params, codes, ...words } = body as ErrorBody;
  const described = describeText(words.message);
  expect(code === undefined ? null : { code, params }, `the code of ${words.message}`).toEqual(described);
  if (words.errors !== undefined) {
    const expected = Object.fromEntries(
      Object.entries(words.errors).map(([field, texts]) => [field, texts.map((text) => describeText(text))]),
    );
    expect(codes, 'the codes of the errors').toEqual(expected);
  } else {
    expect(codes).toBeUndefined();
  }
  return Object.assign(response, { json: () => words });
}

/** Request a browser makes: its cookie jar (the session cookie) and the CSRF token of its session. */
export class Browser {
  cookie: string | undefined;
  csrf: string | undefined;
  me: Me | undefined;
  email = '';
  /** The client address the server sees. */
  ip = '127.0.0.1';

  constructor(readonly app: FastifyInstance) {}

  async request(
    method: InjectOptions['method'],
    url: string,
    options: { payload?: unknown; headers?: Record<string, string>; csrf?: string | null } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = `smsgic_session=${this.cookie}`;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
    const response = await this.app.inject({
      method,
      url,
      headers,
      remoteAddress: this.ip,
      ...(options.payload !== undefined && { payload: options.payload as InjectOptions['payload'] }),
    });
    const setCookie = response.cookies.find((c) => c.name === 'smsgic_session');
    if (setCookie) this.cookie = setCookie.value === '' ? undefined : setCookie.value;
    return response.statusCode >= 400 ? wordsOnly(response) : response;
  }

  get(url: string) {
    return this.request('GET', url);
  }

  post(url: string, payload: unknown = {}, options: { csrf?: string | null; headers?: Record<string, string> } = {}) {
    return this.request('POST', url, { payload, ...options });
  }

  /** A JSON answer with this status, parsed. */
  async json<T = Record<string, unknown>>(response: Promise<LightMyRequestResponse>, status = 200): Promise<T> {
    const res = await response;
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.post('/app/api/login', { email, password });
    if (res.statusCode === 200) this.remember(res.json());
    return res;
  }

  remember(me: Me): void {
    this.me = me;
    this.csrf = me.csrfToken;
    this.email = me.user.email;
  }

  get accountId(): number {
    if (!this.me) throw new Error('not signed in');
    return this.me.account.id;
  }
}

/** Builds the app on `db` (bootstrapped once: schema, countries, sample default rates and sender) with the dashboard. */
export async function startDashboardApp(db: Db, options: DashboardAppOptions = {}): Promise<DashboardApp> {
  const plan = loadNumberingPlan();
  if (!prepared.has(db)) {
    await bootstrap(db, plan);
    prepared.add(db);
  }
  const config = loadConfig({});
  const types = availableTypes(config);
  const app = await buildApp({
    services: createApiServices({ db, plan, availableTypes: types, providers: providerCatalog(config.providers) }),
    rateLimitPerMinute: options.rateLimitPerMinute ?? config.rateLimitPerMinute,
    calculateRateLimitPerMinute: config.calculateRateLimitPerMinute,
    bodyLimitBytes: config.bodyLimitBytes,
    logger: false,
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    dashboard: {
      services: createDashboardServices({
        db,
        plan,
        availableTypes: types,
        providers: providerCatalog(config.providers),
        ...(options.loginLimits && { loginLimits: options.loginLimits }),
      }),
      webRoot: options.webRoot ?? '/nonexistent/smsgic-web-build',
      ...(options.dashboardRateLimitPerMinute !== undefined && {
        rateLimitPerMinute: options.dashboardRateLimitPerMinute,
      }),
    },
  });
  await app.ready();
  return {
    app,
    db,
    browser: () => new Browser(app),
    async customer(spec = {}) {
      const browser = new Browser(app);
      const email = `user${++users}-${Date.now()}@example.com`;
      const me = await browser.json<Me>(
        browser.post('/app/api/signup', {
          email,
          password: PASSWORD,
          company: spec.company ?? `Company ${users}`,
          currency: spec.currency ?? 'GBP',
        }),
        201,
      );
      browser.remember(me);
      return browser;
    },
    async admin() {
      const email = `operator${++users}-${Date.now()}@example.com`;
      const created = await createAdmin(db, { email, passwordHash: await hashPassword(PASSWORD) });
      if (!created.ok) throw new Error(created.reason);
      const browser = new Browser(app);
      const res = await browser.login(email, PASSWORD);
      if (res.statusCode !== 200) throw new Error(res.body);
      return browser;
    },
    close: () => app.close(),
  };
}

export { openAccount };
