// Large requests through a real socket: a million recipients priced within the default body limit, 100,000 stored.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseMoney } from '../../src/domain/money.js';
import { getBalance } from '../../src/store/ledger.js';
import { messageTotals } from '../../src/store/messages.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';

/** Distinct Latvian mobile numbers: 37120000000, 37120000001, … */
function latvianNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(37_120_000_000 + i));
}

/** Counts `needle` in a byte stream without holding the stream, and keeps its first bytes. */
async function scan(body: ReadableStream<Uint8Array>, needle: string): Promise<{ count: number; head: string }> {
  const pattern = Buffer.from(needle);
  let count = 0;
  let carry = Buffer.alloc(0);
  let head = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    const buffer = Buffer.concat([carry, chunk]);
    if (head.length < 4096) head += Buffer.from(chunk).toString('utf8', 0, Math.min(chunk.length, 4096));
    let at = buffer.indexOf(pattern);
    let end = 0;
    while (at !== -1) {
      count++;
      end = at + pattern.length;
      at = buffer.indexOf(pattern, end);
    }
    // Keep the tail that could start a match split across chunks.
    carry = buffer.subarray(Math.max(end, buffer.length - pattern.length + 1));
  }
  return { count, head };
}

describeEachEngine('large requests', (engine) => {
  let api: ApiApp;
  let baseUrl: string;
  let account: ApiAccount;

  beforeAll(async () => {
    api = await startApiApp(engine.db);
    baseUrl = await api.listen();
    account = await api.account({ balance: '100000' });
  });
  afterAll(() => api.close());

  it('prices 1,000,000 distinct recipients sent in one JSON body within the default body limit', async () => {
    const recipients = latvianNumbers(1_000_000);
    const body = JSON.stringify({ message: 'Hi', recipients });
    expect(body.length).toBeGreaterThan(14_000_000);
    expect(body.length).toBeLessThan(64 * 1024 * 1024);
    const res = await fetch(`${baseUrl}/sendings/calculate`, {
      method: 'POST',
      headers: { ...account.headers, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    if (!res.body) throw new Error('no body');
    const { count, head } = await scan(res.body, '"phone_number":');
    expect(count).toBe(1_000_000);
    const info = JSON.parse(/^\{"calculate":\{"info":(\{[^}]*\})/.exec(head)?.[1] ?? 'null');
    expect(info).toMatchObject({ sms_count: 1_000_000, recipients: 1_000_000, tax: 0, parts_per_message: 1 });
    expect(info.total).toBe(info.subtotal);
    expect(head).toContain('{"phone_number":37120000000,');
  }, 60_000);

  it('stores a 100,000-recipient sending with all its messages and reserves exactly its total', async () => {
    const recipients = latvianNumbers(100_000);
    const quote = await fetch(`${baseUrl}/sendings/calculate`, {
      method: 'POST',
      headers: { ...account.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Hi', recipients }),
    });
    expect(quote.status).toBe(200);
    if (!quote.body) throw new Error('no body');
    const { head } = await scan(quote.body, '"phone_number":');
    // The total as the exact decimal token the server wrote, never read through a float.
    const quotedTotal = parseMoney(/"info":\{[^}]*"total":([\d.]+)/.exec(head)?.[1] ?? 'x');
    const before = await getBalance(engine.db, account.id);
    const res = await fetch(`${baseUrl}/sendings`, {
      method: 'POST',
      headers: { ...account.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Hi', recipients, sender: 'MegaShop' }),
    });
    expect(res.status).toBe(200);
    const { sending_id: sendingId } = (await res.json()) as { sending_id: number };
    const totals = await messageTotals(engine.db, account.id, sendingId);
    const after = await getBalance(engine.db, account.id);
    expect(totals.messages).toBe(100_000);
    expect(totals.parts).toBe(100_000);
    expect(totals.costMinor).toBe(quotedTotal);
    expect((before ?? 0) - (after ?? 0)).toBe(quotedTotal);

    const listed = await fetch(`${baseUrl}/sendings`, { headers: account.headers });
    expect(((await listed.json()) as { sendings: { id: number; total_sms: number }[] }).sendings[0]).toMatchObject({
      id: sendingId,
      total_sms: 100_000,
    });
  }, 60_000);
});
