// Helpers of the browser tests that drive the dashboard: the set-up every test file shares (`useBrowserTest`: the
// built server, Chromium, the operator, signed-up customers), sign-up and sign-in through its forms, and calls of its
// JSON API from inside the page (the session's cookie and CSRF token), to set up what a test needs quickly.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, startServer, type TestServer } from '../support/browser.js';

export interface Customer {
  readonly email: string;
  readonly password: string;
  readonly company: string;
}

/** Who signs in: a customer, or the operator `useBrowserTest({ operator })` created. */
export interface Person {
  readonly email: string;
  readonly password: string;
}

export interface BrowserTestOptions {
  /** Created with `smsgic admin create` once the server is up, to sign in with `signedIn`. */
  readonly operator?: Person;
  /** Extra environment of the server (`startServer`). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long starting the server and Chromium may take; 90 s unless given. */
  readonly timeoutMs?: number;
}

export interface SignedUpOptions {
  /** Credited by the operator (`smsgic credit ACCOUNT AMOUNT`) once signed up: a decimal amount, e.g. '10'. */
  readonly credit?: string;
  /** The ledger note of that credit (`--note`). */
  readonly note?: string;
  /** Options of the page's new browser context (viewport, locale, acceptDownloads, …). */
  readonly context?: BrowserContextOptions;
}

/** What a browser test works with once `useBrowserTest`'s `beforeAll` has run. */
export interface BrowserTest {
  /** The built server (`node dist/main.js`) on a fresh SQLite database; `server.cli` runs `smsgic` against it. */
  readonly server: TestServer;
  readonly browser: Browser;
  /** A page in a new browser context (cookies of its own). */
  newPage(context?: BrowserContextOptions): Promise<Page>;
  /** A page in a new context, signed up as `who` (in EUR) through the sign-up form, on the Overview page. */
  signedUp(who: Customer, options?: SignedUpOptions): Promise<Page>;
  /** A page in a new context, signed in as `who` (a customer, or the operator) through the sign-in form. */
  signedIn(who: Person, context?: BrowserContextOptions): Promise<Page>;
}

const BROWSER_TEST_START_MS = 90_000;

/**
 * The set-up and tear-down of a browser test file, called once at the top of its `describeWithChromium` body: before
 * the tests, starts the server and Chromium (and creates the operator when `options.operator` is given); after them,
 * closes both. Its fields are there from the first `beforeAll` declared after it, and in the tests:
 *
 * ```ts
 * describeWithChromium('opt-outs in Chromium', () => {
 *   const app = useBrowserTest({ operator: OPERATOR });
 *   let page: Page;
 *   beforeAll(async () => {
 *     page = await app.signedUp(CUSTOMER, { credit: '10' });
 *   });
 *   it('…', async () => {
 *     const ops = await app.signedIn(OPERATOR);
 *     await ops.goto(`${app.server.url}/app/admin`);
 *   });
 * });
 * ```
 */
export function useBrowserTest(options: BrowserTestOptions = {}): BrowserTest {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useBrowserTest: used before its beforeAll has run');
    return value;
  };

  beforeAll(async () => {
    server = await startServer(options.env);
    browser = await launchChromium();
    if (options.operator) {
      const { email, password } = options.operator;
      await server.cli(['admin', 'create', '--email', email, '--password', password]);
    }
  }, options.timeoutMs ?? BROWSER_TEST_START_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const test: BrowserTest = {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
    async newPage(context) {
      return (await started(browser).newContext(context)).newPage();
    },
    async signedUp(who, signUpOptions = {}) {
      const page = await test.newPage(signUpOptions.context);
      await signUp(page, test.server.url, who);
      if (signUpOptions.credit !== undefined) {
        const note = signUpOptions.note === undefined ? [] : ['--note', signUpOptions.note];
        await test.server.cli(['credit', String(await accountId(page)), signUpOptions.credit, ...note]);
      }
      return page;
    },
    async signedIn(who, context) {
      const page = await test.newPage(context);
      await signIn(page, test.server.url, who);
      return page;
    },
  };
  return test;
}

/** Signs up through the form (in EUR) and waits for the Overview page. */
export async function signUp(page: Page, url: string, who: Customer): Promise<void> {
  await page.goto(`${url}/app/signup`);
  await page.getByLabel('Work email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Company').fill(who.company);
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

/** Signs in through the form and waits for the first page (Overview, or the operator's Accounts). */
export async function signIn(page: Page, url: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${url}/app/signin`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^(Overview|Accounts)$/, level: 1 }).waitFor();
}

/** A call of the dashboard API from the page, as the web client makes it (CSRF token read from /me). */
export async function call<T = Record<string, unknown>>(
  page: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await fetch('/app/api/me', { headers: { Accept: 'application/json' } });
      const { csrfToken } = (await me.json()) as { csrfToken: string };
      const response = await fetch(`/app/api${path}`, {
        method,
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'x-csrf-token': csrfToken },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    },
    { method, path, body },
  );
}

/** The signed-in account's id. */
export async function accountId(page: Page): Promise<number> {
  return (await call<{ account: { id: number } }>(page, 'GET', '/me')).body.account.id;
}
