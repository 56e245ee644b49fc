// `smsgic costs`: each provider's cost list, listed, imported (the diff first; nothing written on --dry-run or on a
// mistake) and exported as the CSV the import reads.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseCostsCsv } from '../../src/domain/cost-lists.js';
import { costList } from '../../src/store/provider-costs.js';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, scratchFolder, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

const SANDBOX_CSV = readFileSync(new URL('../../data/costs/sandbox.csv', import.meta.url), 'utf8');
const sandbox = parseCostsCsv(SANDBOX_CSV);
if (!sandbox.ok) throw new Error(`the sample cost list does not parse: line ${sandbox.line}`);

interface Listed {
  lists: { provider: string; currency: string | null; rows: number; version: number; updated_at: string | null }[];
}

describeEachEngine('smsgic costs', (engine) => {
  const files = scratchFolder();
  afterAll(() => files.remove());

  it('lists every provider, the sandbox with the shipped sample list from the first start', async () => {
    const listed = await ok<Listed>(engine.url, 'costs', 'list');
    expect(listed.lists.map((l) => l.provider)).toEqual([
      'sandbox',
      'infobip',
      'twilio',
      'messente',
      'trumpia',
      'smpp',
    ]);
    expect(listed.lists[0]).toMatchObject({
      provider: 'sandbox',
      currency: 'GBP',
      rows: sandbox.rows.length,
      version: 1,
    });
    expect(listed.lists[1]).toEqual({ provider: 'infobip', currency: null, rows: 0, version: 0, updated_at: null });
    const human = await smsgic(engine.url, ['costs', 'list']);
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PROVIDER\s+CURRENCY\s+ROWS\s+VERSION\s+UPDATED \(UTC\)$/);
    expect(lines[1]).toMatch(
      new RegExp(`^sandbox\\s+GBP\\s+${sandbox.rows.length} rows\\s+1\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`),
    );
    expect(lines[2]).toMatch(/^infobip\s+-\s+no list\s+-\s+-$/);
  });

  it('imports: prints the diff; --dry-run writes nothing, without it the list is replaced', async () => {
    const first = files.path('twilio-1.csv', 'mcc,mnc,cost\n247,,0.0300\n247,01,0.0250\n234,,0.0280\n');
    expect(await ok(engine.url, 'costs', 'import', 'twilio', first, '--currency', 'eur')).toEqual({
      provider: 'twilio',
      currency: 'EUR',
      replaced: true,
      version: 1,
      currency_before: null,
      added: [
        { mcc: '234', mnc: '', cost: '0.0280' },
        { mcc: '247', mnc: '', cost: '0.0300' },
        { mcc: '247', mnc: '01', cost: '0.0250' },
      ],
      removed: [],
      changed: [],
      unchanged: 0,
    });

    const second = files.path(
      'twilio-2.csv',
      'mcc,mnc,cost,currency\n247,,0.0310,GBP\n247,01,0.0250,GBP\n248,,0.032,GBP\n',
    );
    const dry = await smsgic(engine.url, ['costs', 'import', 'twilio', second, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n')).toEqual([
      'Costs of twilio (currency EUR → GBP): 1 added, 1 removed, 1 changed, 1 unchanged.',
      'CHANGE   MCC  MNC     OLD     NEW',
      'added    248  -         -  0.0320',
      'removed  234  -    0.0280       -',
      'changed  247  -    0.0300  0.0310',
      'Dry run: nothing was written.',
      '',
    ]);
    expect(await costList(engine.db, 'twilio')).toMatchObject({ currency: 'EUR', version: 1 });

    const replaced = await smsgic(engine.url, ['costs', 'import', 'twilio', second]);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('1 added, 1 removed, 1 changed, 1 unchanged.');
    expect(replaced.stdout).toContain('Replaced: the cost list of twilio is at version 2.');
    expect(await costList(engine.db, 'twilio')).toMatchObject({
      currency: 'GBP',
      version: 2,
      rows: [
        { mcc: '247', mnc: null, costMinor: 310 },
        { mcc: '247', mnc: '01', costMinor: 250 },
        { mcc: '248', mnc: null, costMinor: 320 },
      ],
    });

    const exported = await smsgic(engine.url, ['costs', 'export', 'twilio']);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toBe('mcc,mnc,cost\r\n247,,0.0310\r\n247,01,0.0250\r\n248,,0.0320\r\n');
    // What export writes, import reads back as no change.
    const again = await ok<{ added: unknown[]; removed: unknown[]; changed: unknown[]; unchanged: number }>(
      engine.url,
      'costs',
      'import',
      'twilio',
      files.path('twilio-export.csv', exported.stdout),
      '--dry-run',
    );
    expect(again).toMatchObject({ added: [], removed: [], changed: [], unchanged: 3 });
  });

  it('refuses an unknown provider, a bad currency and a bad CSV, writing nothing', async () => {
    const good = files.path('good.csv', 'mcc,mnc,cost\n247,,0.0300\n');
    expect(await fails(engine.url, 1, 'costs', 'import', 'nexmo', good)).toBe(
      '"nexmo" is not a provider of this platform (sandbox, infobip, twilio, messente, trumpia, smpp); nothing was imported.',
    );
    expect(await fails(engine.url, 1, 'costs', 'import', 'infobip', good, '--currency', 'XYZ')).toMatch(
      /^"XYZ" is not a currency of the platform \(GBP, EUR, USD/,
    );
    const bad = files.path('bad.csv', 'mcc,mnc,cost\n247,,0.0300\n247,01,abc\n');
    expect(await fails(engine.url, 1, 'costs', 'import', 'infobip', bad)).toMatch(
      new RegExp(`^${bad.replaceAll('/', '\\/')} line 3: cost "abc": .*; nothing was imported\\.$`),
    );
    const conflict = files.path('conflict.csv', 'mcc,mnc,cost,currency\n247,,0.0300,EUR\n');
    expect(await fails(engine.url, 1, 'costs', 'import', 'infobip', conflict, '--currency', 'GBP')).toBe(
      'The list states EUR but GBP was asked for; nothing was imported.',
    );
    expect(await costList(engine.db, 'infobip')).toBeNull();
    expect(await fails(engine.url, 1, 'costs', 'export', 'infobip')).toBe('infobip has no cost list');
    expect(await fails(engine.url, 2, 'costs', 'import', 'infobip')).toBe('PROVIDER and FILE are required');
    expect(await fails(engine.url, 2, 'costs', 'list', '--dry-run')).toBe('--dry-run is not an option of "costs list"');
  });
});
