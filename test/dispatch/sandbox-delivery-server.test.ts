// The sandbox with a delivery profile (SANDBOX_DELIVERY_FILE), through a running server: messages to a country are
// delivered at its ratio, the others fail as undelivered naming the ratio, scripted numbers keep their fate, and the
// delivery quality that least-cost routing reads shows the difference.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readQualityBook } from '../../src/store/delivery-quality.js';
import { type ServerProcess, serverProcess } from '../reliability/crash-harness.js';
import { describeEachEngine } from '../support/databases.js';
import { openAccount } from '../support/http-app.js';
import { eventually } from './support.js';

const STEP_MS = 180_000;
const LATVIA = Array.from({ length: 120 }, (_, i) => String(37_126_210_100 + i));
const LATVIA_SCRIPTED_EXPIRED = '37126210002';
const LITHUANIA = '37061234567';

describeEachEngine('the sandbox with a delivery profile', (engine) => {
  let server: ServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'smsgic-delivery-'));

  beforeAll(async () => {
    const file = join(dir, 'delivery.csv');
    writeFileSync(file, 'mcc,mnc,delivered_percent,report_delay_ms\n247,,50,\n246,,0,\n');
    server = await serverProcess({
      name: 'sandbox-delivery',
      role: 'both',
      databaseUrl: engine.url,
      env: { SANDBOX_DELIVERY_FILE: file, SANDBOX_REPORT_DELAY_MS: '0' },
    });
    await server.start();
  }, STEP_MS);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'delivers each country at its ratio and says why the others failed; quality per country shows it',
    async () => {
      const customer = await openAccount(engine.db, { balance: '100', sender: 'Ratios' });
      const response = await fetch(`${server.url}/sendings`, {
        method: 'POST',
        headers: { ...customer.headers, 'content-type': 'application/json' },
        body: JSON.stringify({
          message: 'Your code is 123456',
          recipients: [...LATVIA, LATVIA_SCRIPTED_EXPIRED, LITHUANIA],
          sender: 'Ratios',
        }),
      });
      expect(response.status).toBe(200);
      const sendingId = ((await response.json()) as { sending_id: number }).sending_id;
      const messages = async () =>
        engine.db.kysely
          .selectFrom('messages')
          .select(['recipient', 'status', 'error'])
          .where('sending_id', '=', sendingId)
          .execute();
      await eventually(
        async () => (await messages()).every((m) => !['queued', 'submitting', 'submitted'].includes(m.status)),
        60_000,
        'every message final',
      );
      const all = await messages();
      const latvian = all.filter((m) => LATVIA.includes(m.recipient));
      const delivered = latvian.filter((m) => m.status === 'delivered').length;
      expect(delivered).toBeGreaterThan(36);
      expect(delivered).toBeLessThan(84);
      const failed = latvian.filter((m) => m.status !== 'delivered');
      expect(
        failed.every((m) => m.status === 'undelivered' && m.error === 'sandbox: not delivered (247: 50% delivered)'),
      ).toBe(true);
      expect(all.find((m) => m.recipient === LATVIA_SCRIPTED_EXPIRED)?.status).toBe('expired');
      expect(all.find((m) => m.recipient === LITHUANIA)).toMatchObject({
        status: 'undelivered',
        error: 'sandbox: not delivered (246: 0% delivered)',
      });

      const book = await readQualityBook(engine.db);
      expect(book.qualityOf('sandbox', '247')).toMatchObject({ reports: 121, delivered });
      expect(book.qualityOf('sandbox', '246')).toMatchObject({ reports: 1, delivered: 0 });
      expect(server.errors).toEqual([]);
    },
    STEP_MS,
  );

  it('refuses to start with a profile it cannot read, naming the line', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'mcc,mnc,delivered_percent\n247,,150\n');
    const refused = await serverProcess({
      name: 'sandbox-delivery-bad',
      role: 'both',
      databaseUrl: engine.url,
      env: { SANDBOX_DELIVERY_FILE: bad },
    });
    await expect(refused.start()).rejects.toThrow(/line 2: delivered_percent must be 0 to 100/);
    await refused.stop();
  });
});
