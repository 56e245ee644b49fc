// GET /status/detail: the database and Redis one by one, beside GET /status, whose contract body it never changes.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, describeWithRedis } from '../support/databases.js';
import { type ApiApp, startApiApp } from '../support/http-app.js';

describeEachEngine('GET /status/detail', (engine) => {
  let api: ApiApp;
  beforeAll(async () => {
    api = await startApiApp(engine.db);
  });
  afterAll(() => api.close());

  it('reports the database up and Redis not configured, while GET /status keeps its contract body', async () => {
    const detail = await api.app.inject({ method: 'GET', url: '/status/detail' });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toEqual({
      status: 'OK',
      database: 'up',
      redis: 'not configured',
      providers: { enabled: [], warnings: [] },
    });
    const status = await api.app.inject({ method: 'GET', url: '/status' });
    expect(status.statusCode).toBe(200);
    expect(status.body).toBe('["OK"]');
  });
});

describeEachEngine('GET /status/detail with providers reporting to a loopback PUBLIC_URL', (engine) => {
  it('names the enabled providers and says loudly that PUBLIC_URL cannot be reached, so reports are polled', async () => {
    const api = await startApiApp(engine.db, {
      env: { TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_AUTH_TOKEN: 'secret', PORT: '3000' },
    });
    try {
      const detail = await api.app.inject({ method: 'GET', url: '/status/detail' });
      expect(detail.statusCode).toBe(200);
      expect(detail.json().providers).toEqual({
        enabled: ['twilio'],
        warnings: [
          'PUBLIC_URL is http://127.0.0.1:3000, a loopback address: twilio cannot reach it, so twilio is polled ' +
            'for reports instead; set PUBLIC_URL to an address the providers can reach',
        ],
      });
    } finally {
      await api.close();
    }
  });
});

describeWithRedis('GET /status/detail with Redis', (redisUrl) => {
  describeEachEngine('Redis up and down', (engine) => {
    const clients: Redis[] = [];
    const apps: ApiApp[] = [];
    afterAll(async () => {
      for (const app of apps) await app.close();
      for (const client of clients) client.disconnect();
    });

    const appWith = async (url: string) => {
      const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
      redis.on('error', () => {});
      clients.push(redis);
      const api = await startApiApp(engine.db, { redis });
      apps.push(api);
      return api;
    };

    it('says Redis is up when it answers', async () => {
      const api = await appWith(redisUrl);
      const client = clients.at(-1);
      if (client && client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
      const detail = await api.app.inject({ method: 'GET', url: '/status/detail' });
      expect(detail.json()).toMatchObject({ status: 'OK', database: 'up', redis: 'up' });
    });

    it('says Redis is down when it does not, without making the service DOWN', async () => {
      const api = await appWith('redis://127.0.0.1:1');
      const detail = await api.app.inject({ method: 'GET', url: '/status/detail' });
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({ status: 'OK', database: 'up', redis: 'down' });
      expect((await api.app.inject({ method: 'GET', url: '/status' })).json()).toEqual(['OK']);
    });
  });
});
