// The `smsgic` command as a whole: help, mistakes in the command line, an unreachable database, a fresh database.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENCIES } from '../../src/domain/money.js';
import { parseRatesCsv } from '../../src/domain/rates-csv.js';
import { listRates } from '../../src/store/rates.js';
import { findUsableSender } from '../../src/store/senders.js';
import { describeEachEngine } from '../support/databases.js';
import { type ScratchDatabase, scratchDatabase } from '../support/scratch-db.js';
import { apiOver, bearer, ensureBuilt, fails, ok, scratchFolder, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

const COMMANDS = [
  'account create --name NAME',
  'account list',
  'account tax-rate ACCOUNT PCT',
  'account countries ACCOUNT LIST|all',
  'account spend-limits ACCOUNT DAILY MONTHLY',
  'account invite ACCOUNT [--email E]',
  'credit ACCOUNT AMOUNT',
  'token create ACCOUNT',
  'token revoke TOKEN_ID',
  'sender add ACCOUNT NAME',
  'sender default NAME',
  'rates import ACCOUNT FILE',
  'rates import --default FILE',
  'rates convert CURRENCY RATE --date DAY',
  'rates list',
  'rates export ACCOUNT | --default',
  'sending cancel ID',
  'webhook-secret show --account ID',
  'webhook-secret rotate --account ID',
  'suppressions list --account ACCOUNT',
  'suppressions add --account ACCOUNT PHONE...',
  'suppressions remove --account ACCOUNT PHONE',
  'account opt-out-scope ACCOUNT [account|sender]',
];

describe('smsgic without a database', () => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await scratchDatabase('sqlite');
  });
  afterAll(() => scratch.dispose());

  it('--help prints every command on stdout and exits 0', async () => {
    for (const args of [['--help'], ['-h'], []]) {
      const outcome = await smsgic(scratch.url, args);
      expect(outcome).toMatchObject({ code: 0, stderr: '' });
      for (const command of COMMANDS) expect(outcome.stdout).toContain(`smsgic ${command}`);
    }
  });

  it('--help names every currency an account may hold, from the one list of them', async () => {
    const help = await ok<{ usage: string }>(scratch.url, '--help');
    const codes = Object.keys(CURRENCIES);
    expect(codes.length).toBeGreaterThan(3);
    expect(help.usage).toContain(`CODE: ${codes.join(', ')};`);
    for (const code of codes) expect(help.usage).toContain(code);
  });

  it('--help --json prints the same text as one JSON object', async () => {
    const help = await ok<{ usage: string }>(scratch.url, '--help');
    expect(Object.keys(help)).toEqual(['usage']);
    for (const command of COMMANDS) expect(help.usage).toContain(`smsgic ${command}`);
  });

  it('refuses an unknown command, an unknown option and a missing command as usage mistakes', async () => {
    expect(await fails(scratch.url, 2, 'acount', 'list')).toBe('unknown command "acount list"');
    expect(await fails(scratch.url, 2, 'account', 'delete', '1')).toBe('unknown command "account delete 1"');
    expect(await fails(scratch.url, 2, 'account', 'list', '--all')).toMatch(/Unknown option '--all'/);
    expect(await fails(scratch.url, 2)).toBe('a command is required');
  });

  it('without --json writes a mistake and the usage to stderr, nothing to stdout', async () => {
    const outcome = await smsgic(scratch.url, ['credit', '1']);
    expect(outcome).toMatchObject({ code: 2, stdout: '' });
    expect(outcome.stderr).toMatch(/^smsgic: AMOUNT is required\n\nsmsgic: operate an SMSgic platform/);
  });

  it('without --json prints one "key: value" line per field', async () => {
    const outcome = await smsgic(scratch.url, ['account', 'create', '--name', 'plain']);
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toBe('id: 1\nname: plain\nemail: -\ncurrency: GBP\ntax_rate: 0%\nbalance: £0.000\n');
  });

  it('says plainly, with exit code 1, when the database cannot be reached or named', async () => {
    const unreachable = await fails('postgres://postgres@127.0.0.1:1/smsgic', 1, 'account', 'list');
    expect(unreachable).toMatch(/^cannot open the database: .*ECONNREFUSED/);
    const unknown = await fails('mysql://localhost/smsgic', 1, 'account', 'list');
    expect(unknown).toBe('cannot open the database: DATABASE_URL must be sqlite:PATH or postgres://…');
  });
});

describeEachEngine(
  'smsgic on a fresh database',
  (engine) => {
    let api: FastifyInstance | undefined;
    afterAll(async () => {
      await api?.close();
    });

    it('needs no set-up: the sample default price list and the default sender "SMSgic" are there', async () => {
      const sample = parseRatesCsv(
        readFileSync(new URL('../../data/rates/sample-default-rates.csv', import.meta.url), 'utf8'),
      );
      if (!sample.ok) throw new Error('the sample price list does not parse');

      const { id } = await ok<{ id: number }>(engine.url, 'account', 'create', '--name', 'first');
      const rates = await listRates(engine.db, id);
      expect(rates.map((r) => [r.mcc, r.mnc, r.rateMinor])).toEqual(
        expect.arrayContaining(sample.rows.map((r) => [r.mcc, r.mnc, r.rateMinor])),
      );
      expect(rates).toHaveLength(sample.rows.length);
      expect(await findUsableSender(engine.db, id, 'SMSgic')).toMatchObject({ accountId: null, status: 'approved' });

      // A credit and a token later, the account sends.
      await ok(engine.url, 'credit', String(id), '10');
      const { token } = await ok<{ token: string }>(engine.url, 'token', 'create', String(id));
      api = await apiOver(engine.db);
      const response = await api.inject({
        method: 'POST',
        url: '/sendings',
        headers: bearer(token),
        payload: { message: 'Hello from SMSgic', recipients: ['447911123456'], sender: 'SMSgic' },
      });
      expect(response.statusCode, response.body).toBe(200);
    });

    it('seeds the defaults only once: a default list imported later stays as it is', async () => {
      const files = scratchFolder();
      try {
        const file = files.path('default.csv', 'mcc,mnc,rate\n234,,0.0300\n');
        expect(await ok(engine.url, 'rates', 'import', '--default', file)).toMatchObject({
          imported: 1,
          default: true,
          currency: 'GBP',
        });
        await ok(engine.url, 'account', 'list');
        expect((await listRates(engine.db, 1)).map((r) => [r.mcc, r.mnc, r.rateMinor])).toEqual([['234', null, 300]]);
        const senders = await engine.db.kysely
          .selectFrom('senders')
          .select('name')
          .where('account_id', 'is', null)
          .execute();
        expect(senders).toEqual([{ name: 'SMSgic' }]);
      } finally {
        files.remove();
      }
    });
  },
  { migrate: false },
);
