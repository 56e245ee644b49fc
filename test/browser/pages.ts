// Helpers of the browser tests that drive the dashboard: sign-up and sign-in through its forms, and calls of its JSON
// API from inside the page (the session's cookie and CSRF token), to set up what a test needs quickly.
import type { Page } from 'playwright-core';

export interface Customer {
  readonly email: string;
  readonly password: string;
  readonly company: string;
}

export async function signUp(page: Page, url: string, who: Customer): Promise<void> {
  await page.goto(`${url}/app/signup`);
  await page.getByLabel('Work email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Company').fill(who.company);
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

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
