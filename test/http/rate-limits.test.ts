// Per-account rate limits: 429 with its headers past the limit, calculate counted apart, in process or through Redis.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, describeWithRedis } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

const LIMIT = 5;
const CALCULATE = { message: 'Hi', recipients: ['37120000000'] };

function get(api: ApiApp, account: ApiAccount, url = '/balance') {
  return api.app.inject({ method: 'GET', url, headers: account.headers });
}

function calculate(api: ApiApp, account: ApiAccount) {
  return api.app.inject({ method: 'POST', url: '/sendings/calculate', headers: account.headers, payload: CALCULATE });
}

type Response = Awaited<ReturnType<typeof get>>;

function expectTooManyAttempts(res: Response, limit: number): void {
  expect(res.statusCode).toBe(429);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.body).toBe('{"message":"Too Many Attempts."}');
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe('0');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers['x-request-id']).toBeTruthy();
}

describeEachEngine('rate limits', (engine) => {
  let api: ApiApp;

  beforeAll(async () => {
    api = await startApiApp(engine.db, { rateLimitPerMinute: LIMIT, calculateRateLimitPerMinute: 3 });
  });
  afterAll(() => api.close());

  it('answers the sixth request of a minute with 429 and the rate-limit headers', async () => {
    const account = await api.account({ balance: '1' });
    const urls = ['/balance', '/senders', '/rates', '/sendings', '/balance'];
    for (const [i, url] of urls.entries()) {
      const res = await get(api, account, url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - i - 1));
    }
    expectTooManyAttempts(await get(api, account), LIMIT);
    expectTooManyAttempts(await get(api, account, '/sendings/1'), LIMIT);
    const post = await api.app.inject({
      method: 'POST',
      url: '/sendings',
      headers: account.headers,
      payload: { ...CALCULATE, sender: 'MegaShop' },
    });
    expectTooManyAttempts(post, LIMIT);
  });

  it('does not limit another account', async () => {
    const busy = await api.account();
    const quiet = await api.account();
    for (let i = 0; i < LIMIT + 1; i++) await get(api, busy);
    expect((await get(api, busy)).statusCode).toBe(429);
    const res = await get(api, quiet);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('counts calculate apart, with its own limit', async () => {
    const account = await api.account();
    for (let i = 0; i < 3; i++) {
      const res = await calculate(api, account);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    expectTooManyAttempts(await calculate(api, account), 3);
    // The other endpoints still have their whole allowance.
    const balance = await get(api, account);
    expect(balance.statusCode).toBe(200);
    expect(balance.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
  });

  it('keeps calculate open to an account the other limit has stopped', async () => {
    const account = await api.account();
    for (let i = 0; i < LIMIT; i++) await get(api, account);
    expect((await get(api, account)).statusCode).toBe(429);
    expect((await calculate(api, account)).statusCode).toBe(200);
  });

  it('allows 3000 calculations a minute by default, and the configured limit elsewhere', async () => {
    const defaults = await startApiApp(engine.db, { env: { RATE_LIMIT_PER_MINUTE: '120' } });
    try {
      const account = await defaults.account();
      const calculated = await calculate(defaults, account);
      expect(calculated.statusCode).toBe(200);
      expect(calculated.headers['x-ratelimit-limit']).toBe('3000');
      expect((await get(defaults, account)).headers['x-ratelimit-limit']).toBe('120');
    } finally {
      await defaults.close();
    }
  });

  it('limits failed authentications per client address: 401 up to the limit, then 429; a good token still works', async () => {
    const account = await api.account();
    const attacker = '198.51.100.7';
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT * 4; i++) {
      const headers = i % 4 === 3 ? {} : { authorization: `Bearer ${randomBytes(24).toString('base64url')}` };
      const res = await api.app.inject({ method: 'GET', url: '/balance', headers, remoteAddress: attacker });
      statuses.push(res.statusCode);
      if (res.statusCode === 401) expect(res.json()).toEqual({ message: 'Unauthenticated.' });
      else expectTooManyAttempts(res, LIMIT);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(LIMIT * 3).fill(429)]);
    // The address's failures are counted apart from any account, and apart from other addresses.
    const good = await api.app.inject({
      method: 'GET',
      url: '/balance',
      headers: account.headers,
      remoteAddress: attacker,
    });
    expect(good.statusCode).toBe(200);
    expect(good.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
    const elsewhere = await api.app.inject({
      method: 'GET',
      url: '/balance',
      headers: { authorization: 'Bearer nope' },
      remoteAddress: '198.51.100.8',
    });
    expect(elsewhere.statusCode).toBe(401);
  });
});

describeWithRedis('rate limits shared through Redis', (redisUrl) => {
  describeEachEngine('two API instances on one Redis', (engine) => {
    const clients: Redis[] = [];
    let first: ApiApp;
    let second: ApiApp;

    beforeAll(async () => {
      // A namespace of this run alone, so that parallel runs and earlier ones never share a count.
      const keyPrefix = `smsgic-test-${randomBytes(6).toString('hex')}:`;
      const open = async () => {
        const redis = new Redis(redisUrl, { keyPrefix, maxRetriesPerRequest: 1 });
        clients.push(redis);
        await redis.ping();
        return redis;
      };
      first = await startApiApp(engine.db, { rateLimitPerMinute: LIMIT, redis: await open() });
      second = await startApiApp(engine.db, { rateLimitPerMinute: LIMIT, redis: await open() });
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      for (const redis of clients) redis.disconnect();
    });

    it('shares one count per account between the instances', async () => {
      const account = await first.account();
      const remaining: (string | undefined)[] = [];
      for (let i = 0; i < LIMIT; i++) {
        const res = await get(i % 2 === 0 ? first : second, account);
        expect(res.statusCode).toBe(200);
        remaining.push(res.headers['x-ratelimit-remaining'] as string | undefined);
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      expectTooManyAttempts(await get(second, account), LIMIT);
      expectTooManyAttempts(await get(first, account), LIMIT);
    });

    it('does not limit another account', async () => {
      const busy = await first.account();
      const quiet = await first.account();
      for (let i = 0; i < LIMIT + 1; i++) await get(first, busy);
      expect((await get(second, busy)).statusCode).toBe(429);
      expect((await get(second, quiet)).statusCode).toBe(200);
    });

    it('shares the count of failed authentications per address between the instances', async () => {
      const attacker = `203.0.113.${1 + ((randomBytes(1)[0] ?? 0) % 250)}`;
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT * 3; i++) {
        const res = await (i % 2 === 0 ? first : second).app.inject({
          method: 'POST',
          url: '/sendings',
          headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` },
          payload: { ...CALCULATE, sender: 'MegaShop' },
          remoteAddress: attacker,
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) expectTooManyAttempts(res, LIMIT);
      }
      expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(LIMIT * 2).fill(429)]);
    });

    it('counts calculate apart, at 3000 a minute', async () => {
      const account = await first.account();
      for (let i = 0; i < LIMIT + 1; i++) await get(first, account);
      const res = await calculate(second, account);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3000');
      expect(res.headers['x-ratelimit-remaining']).toBe('2999');
      expect((await calculate(first, account)).headers['x-ratelimit-remaining']).toBe('2998');
    });
  });
});

describeEachEngine('rate limits while Redis is unreachable', (engine) => {
  let redis: Redis;
  let api: ApiApp;

  beforeAll(async () => {
    // Nothing listens on port 1: every count fails, as with a Redis that went away (production's client options).
    redis = new Redis({ host: '127.0.0.1', port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    api = await startApiApp(engine.db, { rateLimitPerMinute: LIMIT, calculateRateLimitPerMinute: 3, redis });
  });
  afterAll(async () => {
    await api?.close();
    redis?.disconnect();
  });

  it('lets every request pass, showing the whole allowance, on the app-wide limit and on calculate', async () => {
    const account = await api.account({ balance: '1' });
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await get(api, account);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(res.headers['x-ratelimit-remaining']).toBe(String(LIMIT));
    }
    for (let i = 0; i < 4; i++) {
      const res = await calculate(api, account);
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe('3');
    }
  });
});
