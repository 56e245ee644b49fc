// GET /postman.json: the Postman collection of the API, read with Postman's own SDK (postman-collection) and one of
// its requests sent as Postman would send it, with the collection's variables filled in.
import { Collection, type Item, type Request } from 'postman-collection';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

describeEachEngine('the Postman collection', (engine) => {
  let api: ApiApp;
  let base: string;
  let account: ApiAccount;
  let body: unknown;
  let headers: Record<string, string>;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    base = await api.listen();
    account = await api.account({ balance: '12.5' });
    const res = await fetch(`${base}/postman.json`);
    expect(res.status).toBe(200);
    headers = Object.fromEntries(res.headers);
    body = await res.json();
  }, 60_000);
  afterAll(() => api.close());

  const requests = (): { name: string; request: Request }[] => {
    const found: { name: string; request: Request }[] = [];
    new Collection(body as object).forEachItem((item: Item) => found.push({ name: item.name, request: item.request }));
    return found;
  };

  it('downloads as a file, named, in Postman collection v2.1 format', () => {
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(headers['content-disposition']).toBe('attachment; filename="smsgic.postman_collection.json"');
    expect((body as { info: { schema: string; name: string } }).info).toMatchObject({
      name: 'SMSgic API',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    });
  });

  it('holds one request for every operation of /openapi.json', async () => {
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.entries(spec.paths)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    const inCollection = requests()
      .map(({ request }) => `${request.method} /${request.url.path?.join('/')}`)
      .sort();
    expect(inCollection).toEqual(operations);
  });

  it('names this server as baseUrl and the token as bearerToken; GET /balance sent with them answers', async () => {
    const collection = new Collection(body as object);
    expect(collection.variables.get('baseUrl')).toBe(base);
    expect(collection.variables.has('bearerToken')).toBe(true);
    expect(collection.auth?.type).toBe('bearer');
    expect(collection.auth?.parameters().get('token')).toBe('{{bearerToken}}');

    const balance = requests().find(({ request }) => request.method === 'GET' && request.url.getPath() === '/balance');
    if (!balance) throw new Error('no GET /balance in the collection');
    // As Postman resolves variables: {{baseUrl}} in the URL, {{bearerToken}} in the collection's bearer auth.
    const variables = { baseUrl: base, bearerToken: account.token };
    const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (_m, key: keyof typeof variables) => variables[key]);
    const url = fill(balance.request.url.toString());
    const token = fill(String(collection.auth?.parameters().get('token')));
    const res = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ balance: '12.500', sign: '£', code: 'GBP' });
  });
});
