// callback_url cannot be turned against the platform's own network: internal literal addresses are refused with a 422
// at POST /sendings, and at delivery a name that resolves to an internal address is never connected to (DNS
// rebinding), unless CALLBACK_ALLOW_PRIVATE allows it.
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { callbackFetch, postCallback } from '../../src/dispatch/callbacks.js';
import { createDispatcher } from '../../src/dispatch/worker.js';
import { isInternalAddress } from '../../src/domain/ip-address.js';
import { buildApp } from '../../src/http/app.js';
import { createApiServices } from '../../src/services/api-services.js';
import { CALLBACK_URL_INTERNAL_TEXT } from '../../src/services/sending-fields.js';
import { callbackCounts } from '../../src/store/callbacks.js';
import { getBalance } from '../../src/store/ledger.js';
import { fakeClock, numberEndingWith, routerWith, storedSending } from '../dispatch/support.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, openAccount, startApiApp } from '../support/http-app.js';

const URL_TEXT = 'The callback url field must be a valid URL.';

/** A name (not `localhost`) that this machine's resolver maps to an internal address, as a rebinding name would. */
async function internalName(): Promise<string | null> {
  for (const name of [hostname(), 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']) {
    try {
      const addresses = await lookup(name, { all: true });
      if (addresses.length > 0 && addresses.every((a) => isInternalAddress(a.address))) return name;
    } catch {
      // Not known here: try the next.
    }
  }
  return null;
}

function receiver() {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    request.resume();
    response.statusCode = 204;
    response.end();
  });
  return {
    server,
    requests: () => requests,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeEachEngine('callback_url and internal addresses', (engine) => {
  let api: ApiApp;
  let customer: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    customer = await api.account({ balance: '100' });
  });
  afterAll(() => api.close());

  const post = (app: ApiApp['app'], account: ApiAccount, callbackUrl: string) =>
    app.inject({
      method: 'POST',
      url: '/sendings',
      headers: account.headers,
      payload: {
        message: 'Your code is 1',
        recipients: ['37126123456'],
        sender: account.sender,
        callback_url: callbackUrl,
      },
    });

  it('refuses literal loopback, private, link-local, multicast and reserved addresses with a 422, creating nothing', async () => {
    const balance = await getBalance(engine.db, customer.id);
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://127.1/hook',
      'http://0x7f.0.0.1/hook',
      'http://2130706433/hook',
      'http://localhost:3000/hook',
      'http://api.localhost/hook',
      'http://0.0.0.0/hook',
      'http://10.1.2.3/hook',
      'http://172.16.0.9/hook',
      'http://192.168.1.1/hook',
      'http://100.64.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://224.0.0.251/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:a9fe:a9fe]/hook',
      'https://[fe80::1]/hook',
      'https://[fd00::5]/hook',
      'http://[ff02::1]/hook',
      // IPv6 forms that carry an IPv4 address: NAT64, 6to4, IPv4-compatible, IPv4-translated, Teredo.
      'http://[64:ff9b::7f00:1]/hook',
      'http://[64:ff9b::10.0.0.1]/hook',
      'http://[64:ff9b:1::8.8.8.8]/hook',
      'http://[2002:7f00:1::]/hook',
      'http://[2002:a9fe:a9fe::1]/hook',
      'http://[::127.0.0.1]/hook',
      'http://[::ffff:0:127.0.0.1]/hook',
      'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook',
      // Other special-purpose ranges of the IANA registries.
      'http://192.0.2.10/hook',
      'http://255.255.255.255/hook',
      'http://[2001:db8::1]/hook',
      'http://[3fff::1]/hook',
      'http://[100::1]/hook',
    ]) {
      const res = await post(api.app, customer, url);
      expect(res.statusCode, url).toBe(422);
      expect(res.json(), url).toEqual({
        message: CALLBACK_URL_INTERNAL_TEXT,
        errors: { callback_url: [CALLBACK_URL_INTERNAL_TEXT] },
      });
    }
    for (const url of [
      'ftp://example.com/hook',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'gopher://example.com/',
    ]) {
      const res = await post(api.app, customer, url);
      expect(res.statusCode, url).toBe(422);
      expect(res.json(), url).toEqual({ message: URL_TEXT, errors: { callback_url: [URL_TEXT] } });
    }
    expect(await getBalance(engine.db, customer.id)).toBe(balance);
  });

  it('accepts public http(s) URLs, and internal ones when CALLBACK_ALLOW_PRIVATE allows them', async () => {
    for (const url of [
      'https://hooks.example.com/smsgic',
      'http://93.184.215.14:8080/cb',
      'https://[2606:4700::1]/cb',
      'http://[64:ff9b::5db8:d70e]/cb',
      'http://[2002:5db8:d70e::1]/cb',
    ]) {
      expect((await post(api.app, customer, url)).statusCode, url).toBe(200);
    }
    const permissive = await buildApp({
      services: createApiServices({
        db: engine.db,
        plan: loadNumberingPlan(),
        availableTypes: new Set(['default']),
        allowPrivateCallbacks: true,
      }),
      rateLimitPerMinute: 100_000,
      calculateRateLimitPerMinute: 100_000,
      bodyLimitBytes: 1024 * 1024,
    });
    try {
      const account = await openAccount(engine.db, { balance: '10' });
      expect((await post(permissive, account, 'http://127.0.0.1:9999/hook')).statusCode).toBe(200);
    } finally {
      await permissive.close();
    }
  });
});

// A database of its own: the worker here must see only the sendings made for it.
describeEachEngine('callback_url at delivery', (engine) => {
  const target = receiver();
  let port = 0;
  let name: string | null = null;
  beforeAll(async () => {
    port = await target.listen();
    name = await internalName();
    if (name === null) console.warn('no name resolves to an internal address here: the DNS checks are skipped');
  });
  afterAll(() => target.close());

  const delivery = (url: string) => ({
    id: 1,
    attempt: 1,
    url,
    secret: 'secret',
    previousSecret: null,
    sendingId: 1,
    messageId: 1,
    recipient: '37126123456',
    status: 'delivered' as const,
    error: null,
    eventAtUs: 1_700_000_000_000_000,
    submittedAtUs: null,
    finalAtUs: null,
  });
  const policy = { attemptsMax: 5, backoffBaseMs: 1_000, backoffCapMs: 1_000, timeoutMs: 2_000 };

  it('never connects to a name that resolves to an internal address, and gives it up at once', async (context) => {
    if (name === null) return context.skip();
    const before = target.requests();
    const refused = await postCallback(delivery(`http://${name}:${port}/hook`), policy, () => 0, callbackFetch(false));
    expect(refused).toMatchObject({ delivered: false, retryAtUs: null });
    expect(refused.delivered === false && refused.error).toMatch(/internal address/);
    expect(target.requests()).toBe(before);

    // The same name reaches the receiver when internal addresses are allowed: it was the check that refused it.
    const allowed = await postCallback(
      delivery(`http://${name}:${port}/hook`),
      { ...policy, allowPrivate: true },
      () => 0,
      callbackFetch(true),
    );
    expect(allowed).toEqual({ id: 1, delivered: true });
    expect(target.requests()).toBe(before + 1);
  });

  it('refuses at connect time a literal IPv6 address that carries an internal IPv4 address, without a request', async () => {
    const before = target.requests();
    for (const host of ['[64:ff9b::7f00:1]', '[::ffff:0:7f00:1]', '[::7f00:1]', '[2002:7f00:1::]']) {
      await expect(
        callbackFetch(false)(`http://${host}:${port}/hook`, { method: 'POST', body: '{}' }),
        host,
      ).rejects.toThrow(/internal address/);
    }
    expect(target.requests()).toBe(before);
  });

  it('abandons, without a request, the callbacks of a sending whose URL is internal, in the real worker', async (context) => {
    if (name === null) return context.skip();
    const before = target.requests();
    const clock = fakeClock();
    const { sending } = await storedSending(engine.db, [numberEndingWith('0009', 7)], {
      callbackUrl: `http://${name}:${port}/hook`,
    });
    // No allowPrivate: the production default.
    const dispatcher = createDispatcher({ db: engine.db, router: routerWith(clock.clockUs), clockUs: clock.clockUs });
    for (let round = 0; round < 3; round++) {
      await dispatcher.runUntilIdle();
      clock.advanceMs(60_000);
    }
    const counts = await callbackCounts(engine.db, sending.id);
    expect(counts.pending).toBe(0);
    expect(counts.delivered).toBe(0);
    expect(counts.abandoned).toBeGreaterThanOrEqual(1);
    expect(target.requests()).toBe(before);
  });
});
