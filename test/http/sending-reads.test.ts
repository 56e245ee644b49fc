// What POST /sendings reads before it reserves: after the token's lookup, the facts a sending of a few recipients is
// checked against (rate list and route table versions, suppressions, the sender) come in one statement, each a round
// trip on PostgreSQL; and they answer as each read on its own did, changed by another process from the next request on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadNumberingPlan } from '../../src/data/numbering.js';
import { parseMoney } from '../../src/domain/money.js';
import { ruleText, TEXTS } from '../../src/domain/texts.js';
import { authenticated } from '../../src/services/context.js';
import { validateNewSending } from '../../src/services/sending-validation.js';
import { getAccount } from '../../src/store/accounts.js';
import type { Db, ExecutedQuery } from '../../src/store/db.js';
import { assignNumber } from '../../src/store/numbers.js';
import { replaceCostList } from '../../src/store/provider-costs.js';
import { replaceRates } from '../../src/store/rates.js';
import { addSender } from '../../src/store/senders.js';
import { SENDING_CONTEXT_RECIPIENTS_MAX } from '../../src/store/sending-context.js';
import { addSuppressions } from '../../src/store/suppressions.js';
import { describeEachEngine } from '../support/databases.js';
import { type ApiAccount, type ApiApp, startApiApp } from '../support/http-app.js';
import { latviaRouteRule } from '../support/store-fixtures.js';

const LATVIAN = '37126123456';
const TEXT = 'Your code is 482913';

describeEachEngine('the reads of a new sending', (engine) => {
  let api: ApiApp;
  /** The API's database, reporting each statement it runs. */
  let db: Db;
  /** Another connection (another pool on PostgreSQL) to the same database, as another process would hold. */
  let elsewhere: Db;
  let recording: ExecutedQuery[] | null = null;

  beforeAll(async () => {
    db = await engine.open({ onQuery: (query) => recording?.push(query) });
    api = await startApiApp(db);
    elsewhere = await engine.open();
  });

  afterAll(async () => {
    await api?.close();
  });

  const post = (account: ApiAccount, url: string, payload: object) =>
    api.app.inject({ method: 'POST', url, headers: account.headers, payload });
  const sendingOf = async (id: number) =>
    db.kysely
      .selectFrom('sendings')
      .select(['recipients_count', 'total_minor'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  /** A 200 sending's stored recipient count and total. */
  const created = async (account: ApiAccount, payload: object) => {
    const res = await post(account, '/sendings', payload);
    expect(res.statusCode, res.body).toBe(200);
    const row = await sendingOf(res.json().sending_id as number);
    return { recipients: Number(row.recipients_count), totalMinor: Number(row.total_minor) };
  };
  const refusal = (field: string, message: string) => ({ message, errors: { [field]: [message] } });

  it('reads what a one-recipient sending is checked against in one statement after the token lookup', async () => {
    const account = await api.account({ balance: '100' });
    const body = { message: TEXT, recipients: [LATVIAN], sender: account.sender };
    await created(account, body);
    recording = [];
    try {
      await created(account, body);
    } finally {
      // biome-ignore lint/style/noNonNullAssertion: set just above
      const statements = recording!;
      recording = null;
      // The reads before the reservation's transaction (its first statement is not a select).
      const firstOther = statements.findIndex((q) => !/^\s*select\b/i.test(q.sql));
      const reads = statements.slice(0, firstOther === -1 ? statements.length : firstOther);
      expect(reads.map((q) => q.sql.replace(/\s+/g, ' ').trim().slice(0, 60))).toHaveLength(2);
      expect(reads[0]?.sql).toMatch(/api_tokens/);
      expect(firstOther).toBeGreaterThan(0);
    }
  });

  it('leaves out a suppressed recipient, account-wide or of the sender, and refuses when none is left', async () => {
    const account = await api.account({ balance: '100' });
    await addSender(db, account.id, 'Other', 'approved');
    const kept = '37126123457';
    await addSuppressions(elsewhere, account.id, [LATVIAN], { source: 'api' });
    await addSuppressions(elsewhere, account.id, [kept], { source: 'api' }, 'Other');
    const alone = await post(account, '/sendings', { message: TEXT, recipients: [LATVIAN], sender: account.sender });
    expect(alone.statusCode).toBe(422);
    expect(alone.json()).toEqual(refusal('recipients', TEXTS.allRecipientsSuppressed));
    // The entry of sender Other applies to its sendings alone.
    const both = { message: TEXT, recipients: [LATVIAN, kept], sender: account.sender };
    expect((await created(account, both)).recipients).toBe(1);
    expect((await created(account, { ...both, recipients: `${LATVIAN}, ${kept}` })).recipients).toBe(1);
    const fromOther = await post(account, '/sendings', { ...both, sender: 'Other' });
    expect(fromOther.statusCode).toBe(422);
    expect(fromOther.json()).toEqual(refusal('recipients', TEXTS.allRecipientsSuppressed));
    // Another account's list is not this one's.
    const other = await api.account({ balance: '100' });
    expect((await created(other, { ...both, sender: other.sender })).recipients).toBe(2);
  });

  it('leaves out a suppressed recipient among more recipients than are read with the other facts', async () => {
    const account = await api.account({ balance: '100' });
    const recipients = Array.from({ length: SENDING_CONTEXT_RECIPIENTS_MAX + 1 }, (_, i) => String(37126200000 + i));
    await addSuppressions(elsewhere, account.id, [recipients[3] as string], { source: 'api' });
    const sent = await created(account, { message: TEXT, recipients, sender: account.sender });
    expect(sent.recipients).toBe(SENDING_CONTEXT_RECIPIENTS_MAX);
    // A text list long enough not to be read with the other facts, whatever its count.
    const spaced = `${recipients[3]},${' '.repeat(2_000)}${recipients[4]}`;
    expect((await created(account, { message: TEXT, recipients: spaced, sender: account.sender })).recipients).toBe(1);
  });

  it('refuses a sender the account may not use, and takes a platform default one', async () => {
    const account = await api.account({ balance: '100' });
    const other = await api.account({ balance: '100', sender: 'TheirsOnly' });
    await addSender(elsewhere, account.id, 'Waiting', 'pending');
    await addSender(elsewhere, null, 'Everyone', 'approved');
    const invalid = refusal('sender', ruleText.selectedInvalid('sender'));
    for (const sender of ['Waiting', other.sender as string, 'Nobody']) {
      const res = await post(account, '/sendings', { message: TEXT, recipients: [LATVIAN], sender });
      expect(res.statusCode, sender).toBe(422);
      expect(res.json()).toEqual(invalid);
    }
    expect((await created(account, { message: TEXT, recipients: [LATVIAN], sender: ' Everyone ' })).recipients).toBe(1);
    // Approved by another process: usable from the next request on.
    await addSender(elsewhere, account.id, 'Waiting', 'approved');
    expect((await created(account, { message: TEXT, recipients: [LATVIAN], sender: 'Waiting' })).recipients).toBe(1);
  });

  it("sends a reply from the account's own receiving number only with the allowance", async () => {
    const account = await api.account({ balance: '100' });
    const number = '37120000777';
    await assignNumber(elsewhere, account.id, number, null);
    const stored = await getAccount(db, account.id);
    if (!stored) throw new Error('no account');
    const deps = {
      db,
      plan: loadNumberingPlan(),
      availableTypes: new Set(['default'] as const),
    };
    const fields = { message: TEXT, recipients: [LATVIAN], sender: number };
    const without = await validateNewSending(deps, authenticated(stored), fields);
    expect(without.ok ? null : without.errors.toJSON()).toEqual(refusal('sender', ruleText.selectedInvalid('sender')));
    const allowed = await validateNewSending(deps, authenticated(stored), fields, { fromOwnNumber: true });
    expect(allowed.ok).toBe(true);
    // Another account's number is not its own.
    const other = await api.account({ balance: '100' });
    const otherStored = await getAccount(db, other.id);
    if (!otherStored) throw new Error('no account');
    const theirs = await validateNewSending(deps, authenticated(otherStored), fields, { fromOwnNumber: true });
    expect(theirs.ok).toBe(false);
  });

  it('prices from a rate list and refuses by a route rule that another process changed just before', async () => {
    const account = await api.account({ balance: '100' });
    const body = { message: TEXT, recipients: [LATVIAN], sender: account.sender };
    await created(account, body);
    const replaced = await replaceRates(elsewhere, account.id, [
      { mcc: '247', mnc: null, rateMinor: parseMoney('0.0123') },
    ]);
    expect(replaced.ok).toBe(true);
    expect((await created(account, body)).totalMinor).toBe(parseMoney('0.0123'));
    const cost = await replaceCostList(elsewhere, 'sandbox', 'GBP', [
      { mcc: '247', mnc: null, costMinor: parseMoney('0.05') },
    ]);
    expect(cost.ok).toBe(true);
    await latviaRouteRule(elsewhere, account.id);
    const refused = await post(account, '/sendings', body);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toEqual(refusal('recipients.0', ruleText.noRouteAtRate('recipients.0')));
  });
});
