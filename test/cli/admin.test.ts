// `smsgic admin create|list`: platform operators, who then sign in to the dashboard's operator pages.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { createDashboardServices } from '../../src/services/dashboard.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok } from './smsgic.js';

beforeAll(ensureBuilt);

interface CreatedAdmin {
  readonly id: number;
  readonly email: string;
  readonly role: string;
  readonly account_id: number;
  readonly password?: string;
}

describeEachEngine('smsgic admin', (engine) => {
  let app: FastifyInstance;

  beforeAll(async () => {
    const plan = loadNumberingPlan();
    const availableTypes = new Set(['default'] as const);
    app = await buildApp({
      services: createApiServices({ db: engine.db, plan, availableTypes }),
      rateLimitPerMinute: 1_000_000,
      calculateRateLimitPerMinute: 1_000_000,
      bodyLimitBytes: 8 * 1024 * 1024,
      dashboard: { services: createDashboardServices({ db: engine.db, plan, availableTypes }) },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  const login = (email: string, password: string) =>
    app.inject({ method: 'POST', url: '/app/api/login', payload: { email, password } });

  describe('admin create', () => {
    it('adds an operator with a generated password, shown once, that signs in to the operator pages', async () => {
      const created = await ok<CreatedAdmin>(engine.url, 'admin', 'create', '--email', 'ops@example.com');
      expect(created).toEqual({
        id: expect.any(Number),
        email: 'ops@example.com',
        role: 'admin',
        account_id: expect.any(Number),
        password: expect.stringMatching(/^[\w-]{20}$/),
      });
      const rows = await engine.db.kysely.selectFrom('users').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(created.password);

      const res = await login('ops@example.com', created.password as string);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().user).toEqual({ id: created.id, email: 'ops@example.com', role: 'admin' });
      const cookie = res.cookies.find((c) => c.name === 'smsgic_session')?.value;
      const accounts = await app.inject({
        method: 'GET',
        url: '/app/api/admin/accounts',
        headers: { cookie: `smsgic_session=${cookie}` },
      });
      expect(accounts.statusCode).toBe(200);
    });

    it('takes a given password, and puts every operator in the one operator account', async () => {
      const first = await ok<CreatedAdmin>(engine.url, 'admin', 'create', '--email', 'first@example.com');
      const second = await ok<CreatedAdmin>(
        engine.url,
        'admin',
        'create',
        '--email',
        'second@example.com',
        '--password',
        'a long enough secret',
      );
      expect(second.password).toBeUndefined();
      expect(second.account_id).toBe(first.account_id);
      expect((await login('second@example.com', 'a long enough secret')).statusCode).toBe(200);
      const accounts = await ok<{ accounts: { id: number; name: string }[] }>(engine.url, 'account', 'list');
      expect(accounts.accounts.filter((a) => a.name === 'SMSgic operator')).toHaveLength(1);
    });

    it('refuses an email in use (any case) as refused, and bad options as usage mistakes', async () => {
      await ok(engine.url, 'admin', 'create', '--email', 'taken@example.com');
      expect(await fails(engine.url, 1, 'admin', 'create', '--email', 'TAKEN@example.com')).toBe(
        'a user with the email TAKEN@example.com already exists',
      );
      expect(await fails(engine.url, 2, 'admin', 'create')).toBe('--email is required');
      expect(await fails(engine.url, 2, 'admin', 'create', '--email', 'nope')).toBe(
        '--email "nope" is not an email address',
      );
      expect(await fails(engine.url, 2, 'admin', 'create', '--email', 'a@b.co', '--password', 'short')).toBe(
        '--password must be at least 10 characters',
      );
      expect(await fails(engine.url, 2, 'admin', 'create', '--email', 'a@b.co', '--name', 'x')).toBe(
        '--name is not an option of "admin create"',
      );
      expect(await fails(engine.url, 2, 'admin', 'remove')).toBe('unknown command "admin remove"');
    });
  });

  describe('admin list', () => {
    it('lists every operator, oldest first', async () => {
      const listed = await ok<{ admins: { id: number; email: string; account_id: number; created_at: string }[] }>(
        engine.url,
        'admin',
        'list',
      );
      expect(listed.admins.map((a) => a.email)).toEqual([
        'ops@example.com',
        'first@example.com',
        'second@example.com',
        'taken@example.com',
      ]);
      expect(listed.admins[0]).toEqual({
        id: expect.any(Number),
        email: 'ops@example.com',
        account_id: expect.any(Number),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      });
    });
  });
});
