// `smsgic routes list|add|update|remove|move|test`: the operator's route table from the command line.
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../support/databases.js';
import { ensureBuilt, fails, ok, smsgic } from './smsgic.js';

beforeAll(ensureBuilt);

/** Each command is a process of its own: a test of a dozen of them takes a while on a busy machine. */
const STEP_MS = 180_000;

interface RuleJson {
  readonly id: number;
  readonly position: number | null;
  readonly default: boolean;
  readonly mcc: string | null;
  readonly prefix: string | null;
  readonly strategy: string;
  readonly providers: readonly string[];
}

describeEachEngine('smsgic routes', (engine) => {
  it(
    'adds, lists, moves, tests and removes rules, the default rule last and kept',
    async () => {
      const url = engine.url;
      const start = await ok<{ routes: RuleJson[] }>(url, 'routes', 'list');
      expect(start.routes).toEqual([expect.objectContaining({ default: true, position: null, providers: [] })]);
      const fallback = start.routes[0] as RuleJson;

      const latvia = await ok<RuleJson>(
        url,
        'routes',
        'add',
        '--strategy',
        'fixed',
        '--providers',
        'sandbox',
        '--mcc',
        '247',
      );
      expect(latvia).toMatchObject({ position: 1, mcc: '247', strategy: 'fixed', providers: ['sandbox'] });
      const mobile = await ok<RuleJson>(
        url,
        'routes',
        'add',
        '--strategy',
        'least_cost',
        '--providers',
        'sandbox',
        '--prefix',
        '3712',
        '--min-delivery',
        '95',
        '--max-latency-ms',
        '60000',
        '--min-reports',
        '20',
        '--position',
        '1',
      );
      expect(mobile).toMatchObject({ position: 1, prefix: '3712', min_delivery_ppm: 950_000, min_reports: 20 });
      const order = async () => (await ok<{ routes: RuleJson[] }>(url, 'routes', 'list')).routes.map((r) => r.id);
      expect(await order()).toEqual([mobile.id, latvia.id, fallback.id]);

      expect(await ok(url, 'routes', 'test', '37120000001')).toMatchObject({
        mcc: '247',
        rule: { id: mobile.id },
        providers: ['sandbox'],
      });
      expect(await ok(url, 'routes', 'test', '37160000001')).toMatchObject({ rule: { id: latvia.id } });
      expect(await ok(url, 'routes', 'test', '447400123456')).toMatchObject({
        rule: { id: fallback.id, default: true },
      });
      expect(await ok(url, 'routes', 'test', '37120000001', '--type', 'infobip')).toMatchObject({
        rule: null,
        providers: ['infobip'],
      });

      expect(await ok(url, 'routes', 'move', String(mobile.id), '2')).toMatchObject({ position: 2 });
      expect(await order()).toEqual([latvia.id, mobile.id, fallback.id]);
      const human = await smsgic(url, ['routes', 'list']);
      expect(human.stdout).toMatch(/mcc 247/);
      expect(human.stdout).toMatch(/everything else/);

      expect(await fails(url, 1, 'routes', 'remove', String(fallback.id))).toBe('the default rule cannot be removed');
      expect(await ok(url, 'routes', 'remove', String(latvia.id))).toMatchObject({ id: latvia.id });
      expect(await order()).toEqual([mobile.id, fallback.id]);
      expect(await fails(url, 1, 'routes', 'remove', String(latvia.id))).toBe(`no route rule ${latvia.id}`);
      expect(await ok(url, 'routes', 'update', String(fallback.id), '--providers', 'sandbox')).toMatchObject({
        default: true,
        providers: ['sandbox'],
      });
      await ok(url, 'routes', 'remove', String(mobile.id));
    },
    STEP_MS,
  );

  it(
    'refuses unknown providers and bad fields with what is wrong',
    async () => {
      const url = engine.url;
      expect(await fails(url, 2, 'routes', 'add', '--strategy', 'fixed', '--providers', 'nosuch')).toMatch(
        /^unknown provider "nosuch" \(known: sandbox, /,
      );
      expect(await fails(url, 2, 'routes', 'add', '--strategy', 'cheapest', '--providers', 'sandbox')).toBe(
        'strategy must be one of fixed, failover, least_cost, got "cheapest"',
      );
      expect(await fails(url, 2, 'routes', 'add', '--strategy', 'fixed', '--providers', 'sandbox', '--mnc', '01')).toBe(
        'an MNC needs an MCC',
      );
      expect(
        await fails(url, 2, 'routes', 'add', '--strategy', 'fixed', '--providers', 'sandbox', '--prefix', '37x'),
      ).toBe('a number prefix is 1 to 15 digits');
      expect(await fails(url, 2, 'routes', 'add', '--providers', 'sandbox')).toBe('--strategy is required');
      expect(await fails(url, 2, 'routes', 'test', 'abc')).toBe('"abc" is not a number of any country');
      expect(await fails(url, 2, 'routes', 'move', '1')).toBe('POSITION must be a positive whole number');
      expect((await ok<{ routes: unknown[] }>(url, 'routes', 'list')).routes).toHaveLength(1);
    },
    STEP_MS,
  );
});
