// The README's "Verifying callbacks" code, run as written (its js block is extracted from README.md and imported)
// against callbacks the worker posts over HTTP: before a rotation, during its 24 h grace period, and after.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { readWebhookSecret, rotateAccountWebhookSecret } from '../../src/services/webhook-secret.js';
import { callbackCounts } from '../../src/store/callbacks.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/databases.js';
import { fakeClock, numberEndingWith, RATE_MINOR, routerWith, sendingOf, storedSending } from './support.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const HOUR_MS = 60 * 60 * 1000;

interface ReadmeCode {
  verifyCallback(rawBody: Buffer, headers: IncomingHttpHeaders, secrets: readonly string[]): boolean;
  callbackReceiver(secrets: readonly string[], onStatus: (status: Record<string, unknown>) => void): Server;
}

/** The one js block of the README's "Verifying callbacks" section, as a module exporting its two functions. */
async function importReadmeCode(): Promise<{ code: ReadmeCode; dispose(): void }> {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf('\n## Verifying callbacks\n');
  expect(start, 'README has a "Verifying callbacks" section').toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  const blocks = [...readme.slice(start, end).matchAll(/```js\n([\s\S]*?)```/g)];
  expect(blocks).toHaveLength(1);
  const dir = mkdtempSync(join(tmpdir(), 'smsgic-readme-'));
  const file = join(dir, 'verify-callbacks.mjs');
  writeFileSync(file, `${blocks[0]?.[1]}\nexport { verifyCallback, callbackReceiver };\n`);
  const code = (await import(/* @vite-ignore */ file)) as ReadmeCode;
  return { code, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Seen {
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  answered: number;
}

/** The README's receiver holding `secrets`, listening; every request it gets is also noted with how it answered. */
async function readmeReceiver(code: ReadmeCode, secrets: readonly string[]) {
  const statuses: Record<string, unknown>[] = [];
  const seen: Seen[] = [];
  const server = code.callbackReceiver(secrets, (status) => statuses.push(status));
  server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    const entry: Seen = { body: '', headers: request.headers, answered: 0 };
    seen.push(entry);
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('finish', () => {
      Object.assign(entry, { body: Buffer.concat(chunks).toString('utf8'), answered: response.statusCode });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/smsgic-status`;
  return { url, statuses, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Computed here from the raw body with node:crypto, not by the platform's signing code. */
const hmacHex = (secret: string, body: string) => createHmac('sha256', secret).update(body, 'utf8').digest('hex');

describeEachEngine('the README callback verifier', (engine) => {
  let code: ReadmeCode;
  let dispose = () => {};
  const receivers: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    ({ code, dispose } = await importReadmeCode());
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    dispose();
  });

  const receiver = async (secrets: readonly string[]) => {
    const made = await readmeReceiver(code, secrets);
    receivers.push(made);
    return made;
  };

  it('accepts what the worker signs before, during and after a rotation, by either secret while both are valid', async () => {
    const clock = fakeClock();
    const db: Db = await engine.open({ clockUs: clock.clockUs });
    const dispatcher = createDispatcher({
      db,
      router: routerWith(clock.clockUs),
      clockUs: clock.clockUs,
      callbacks: { attemptsMax: 1, backoffBaseMs: 1_000, backoffCapMs: 1_000, timeoutMs: 2_000, allowPrivate: true },
    });
    // Each number is accepted, then delivered: two callbacks a sending. Rounds of a minute let the reports come.
    const deliver = async () => {
      for (let round = 0; round < 4; round++) {
        await dispatcher.runUntilIdle();
        clock.advanceMs(60_000);
      }
    };
    let n = 0;
    const send = async (url: string) => {
      const sending = await sendingOf(db, accountId, [numberEndingWith('0009', ++n)], { callbackUrl: url });
      await deliver();
      return callbackCounts(db, sending.id);
    };

    // Before any rotation: one header, the secret's HMAC, as it always was.
    const before = await receiver([]);
    const { accountId, sending: first } = await storedSending(db, [numberEndingWith('0009')], {
      callbackUrl: before.url,
      extraBalanceMinor: 20 * RATE_MINOR,
    });
    const s0 = (await readWebhookSecret(db, accountId))?.secret ?? '';
    const old = await receiver([s0]);
    expect(await send(old.url)).toEqual({ pending: 0, delivered: 2, abandoned: 0 });
    expect(old.statuses.map((s) => s.status)).toEqual(['submitted', 'delivered']);
    for (const request of old.seen) {
      expect(request.headers['x-smsgic-signature']).toBe(hmacHex(s0, request.body));
      expect(request.headers['x-smsgic-signature']).toMatch(/^[0-9a-f]{64}$/);
      expect(request.headers['x-smsgic-signature-new']).toBeUndefined();
    }
    // A receiver without the secret refuses them: the verification is no formality.
    await deliver();
    expect(await callbackCounts(db, first.id)).toEqual({ pending: 0, delivered: 0, abandoned: 2 });
    expect(before.seen.map((r) => r.answered)).toEqual([401, 401]);
    expect(await send((await receiver(['not the secret'])).url)).toMatchObject({ delivered: 0, abandoned: 2 });

    // Rotated: for 24 h a receiver holding either secret, or both, verifies every callback.
    const s1 = (await rotateAccountWebhookSecret(db, accountId))?.secret ?? '';
    expect(s1).not.toBe(s0);
    clock.advanceMs(HOUR_MS);
    const stillOld = await receiver([s0]);
    const updated = await receiver([s1]);
    const both = await receiver([s1, s0]);
    for (const r of [stillOld, updated, both]) {
      expect(await send(r.url)).toEqual({ pending: 0, delivered: 2, abandoned: 0 });
      for (const request of r.seen) {
        expect(request.answered).toBe(204);
        expect(request.headers['x-smsgic-signature']).toBe(hmacHex(s0, request.body));
        expect(request.headers['x-smsgic-signature-new']).toBe(hmacHex(s1, request.body));
      }
    }
    expect(await send((await receiver(['not the secret'])).url)).toMatchObject({ delivered: 0, abandoned: 2 });

    // After the 24 h: the new secret alone, in the one header; the old one no longer verifies.
    clock.advanceMs(23 * HOUR_MS);
    const lateOld = await receiver([s0]);
    expect(await send(lateOld.url)).toEqual({ pending: 0, delivered: 0, abandoned: 2 });
    const lateNew = await receiver([s1]);
    expect(await send(lateNew.url)).toEqual({ pending: 0, delivered: 2, abandoned: 0 });
    for (const request of [...lateOld.seen, ...lateNew.seen]) {
      expect(request.headers['x-smsgic-signature']).toBe(hmacHex(s1, request.body));
      expect(request.headers['x-smsgic-signature-new']).toBeUndefined();
    }
  });
});
