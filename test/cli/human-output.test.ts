// What `smsgic` prints without --json: lists as aligned tables, one object as "key: value" lines, a change as one
// sentence; with --json the same commands print the JSON object they always have.
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

/** Runs a command without --json that must succeed; returns its stdout, which must end with one newline. */
async function printed(url: string, ...args: string[]): Promise<string> {
  const outcome = await smsgic(url, args);
  expect(outcome, `smsgic ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  expect(outcome.stdout.endsWith('\n')).toBe(true);
  const text = outcome.stdout.slice(0, -1);
  for (const line of text.split('\n')) expect(line, 'no line ends in a space').toBe(line.trimEnd());
  return text;
}

describeEachEngine('smsgic without --json', (engine) => {
  beforeAll(async () => {
    await ok(engine.url, 'account', 'create', '--name', 'acme', '--email', 'ops@acme.example', '--tax-rate', '20');
    await ok(engine.url, 'account', 'create', '--name', '東京 Café', '--currency', 'SEK');
    await ok(engine.url, 'credit', '1', '1450.5');
  });

  it('prints a list as a table: a header row, columns aligned, money with its sign, wide letters counted twice', async () => {
    expect(await printed(engine.url, 'account', 'list')).toBe(
      [
        'ID  NAME       EMAIL             CURRENCY  TAX RATE    BALANCE',
        ' 1  acme       ops@acme.example  GBP            20%  £1450.500',
        ' 2  東京 Café  -                 SEK             0%    kr0.000',
      ].join('\n'),
    );
    // --json prints what it always has.
    expect(await ok(engine.url, 'account', 'list')).toEqual({
      accounts: [
        { id: 1, name: 'acme', email: 'ops@acme.example', currency: 'GBP', tax_rate: '20', balance: '1450.500' },
        { id: 2, name: '東京 Café', email: null, currency: 'SEK', tax_rate: '0', balance: '0.000' },
      ],
    });
  });

  it('prints times in a table as UTC to the minute', async () => {
    await ok(engine.url, 'suppressions', 'add', '--account', '1', '447911123456');
    const { suppressions } = await ok<{ suppressions: { created_at: string }[] }>(
      engine.url,
      'suppressions',
      'list',
      '--account',
      '1',
    );
    const minute = (suppressions[0]?.created_at ?? '').slice(0, 16).replace('T', ' ');
    expect(minute).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(await printed(engine.url, 'suppressions', 'list', '--account', '1')).toBe(
      ['PHONE         SOURCE    ADDED (UTC)', `447911123456  operator  ${minute}`].join('\n'),
    );
  });

  it('prints one object as "key: value" lines', async () => {
    expect(await printed(engine.url, 'account', 'create', '--name', 'plain', '--currency', 'EUR')).toBe(
      ['id: 3', 'name: plain', 'email: -', 'currency: EUR', 'tax_rate: 0%', 'balance: €0.000'].join('\n'),
    );
  });

  it('confirms a change in one sentence', async () => {
    expect(await printed(engine.url, 'credit', '3', '12.5')).toBe(
      'Credited €12.5000 to account 3 (plain): the balance is €12.500 (ledger entry 2).',
    );
    expect(await printed(engine.url, 'credit', '3', '-2')).toBe(
      'Debited €2.0000 from account 3 (plain): the balance is €10.500 (ledger entry 3).',
    );
    expect(await printed(engine.url, 'suppressions', 'remove', '--account', '1', '447911123456')).toBe(
      'Removed 447911123456 from the suppression list of account 1.',
    );
  });
});
