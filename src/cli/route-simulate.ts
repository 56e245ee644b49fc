// `smsgic routes simulate --days N [--rules FILE.json] [--costs PROVIDER=FILE.csv ...] [--account ID] [--csv]`: the
// last days' traffic replayed against a proposed route table and/or cost lists, beside what happened. Writes nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { SANDBOX_PROVIDER } from '../dispatch/providers/sandbox/adapter.js';
import { providerCatalog, REAL_PROVIDERS } from '../dispatch/registry.js';
import type { CostList } from '../domain/cost-lists.js';
import { formatMinor } from '../domain/money.js';
import type { SimulationFigures, SimulationRow } from '../domain/route-simulation.js';
import type { RouteRule } from '../domain/routing.js';
import {
  daysProblem,
  proposedCostList,
  proposedTableFromJson,
  type RouteSimulation,
  simulateRoutes,
} from '../services/route-simulation.js';
import type { Db } from '../store/db.js';
import { money, NONE, table } from './print.js';
import type { RoutesErrors } from './routes.js';

export const ROUTES_SIMULATE_USAGE = `  smsgic routes simulate [--days N] [--rules FILE.json] [--costs PROVIDER=FILE.csv ...] [--account ID] [--csv]
                    (the last N days' handed-over messages, 7 by default, replayed against a proposed table, in
                     the format routes list --json prints, and/or cost lists, in the format costs import reads:
                     messages, revenue, cost, margin and expected delivery, actual beside proposed; writes nothing)`;

export interface SimulatePrinted {
  readonly json: Record<string, unknown>;
  readonly text: string;
  readonly raw?: boolean;
}

/** The operator's mistake (exit 2) or a refusal (exit 1), as `smsgic routes` reports them. */
export type SimulateErrors = RoutesErrors;

const OPTIONS = {
  json: { type: 'boolean' },
  days: { type: 'string' },
  rules: { type: 'string' },
  costs: { type: 'string', multiple: true },
  account: { type: 'string' },
  csv: { type: 'boolean' },
} as const;

function knownProviders(): readonly string[] {
  return [SANDBOX_PROVIDER, ...REAL_PROVIDERS];
}

/** The providers this process's configuration turns on; undefined when it cannot be read. */
function configuredProviders(): ReadonlySet<string> | undefined {
  try {
    return providerCatalog(loadConfig().providers).configured;
  } catch {
    return undefined;
  }
}

/** The configured real providers in the default order, else the sandbox: what the default rule means by none. */
function builtInOrder(configured: ReadonlySet<string> | undefined): readonly string[] {
  if (configured === undefined) return [SANDBOX_PROVIDER];
  const real = REAL_PROVIDERS.filter((name) => configured.has(name));
  return real.length > 0 ? real : [SANDBOX_PROVIDER];
}

function readText(file: string, errors: SimulateErrors): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw errors.refused(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function percent(ppm: number | null): string {
  return ppm === null ? NONE : `${(ppm / 10_000).toFixed(1)}%`;
}

function figuresJson(f: SimulationFigures) {
  return {
    messages: f.messages,
    revenue: formatMinor(f.revenueMinor),
    cost: formatMinor(f.costMinor),
    cost_unknown: f.costUnknown,
    refused: f.refused,
    refused_revenue: formatMinor(f.refusedRevenueMinor),
    margin: formatMinor(f.marginMinor),
    quality_known: f.qualityKnown,
    expected_delivery_ppm: f.expectedDeliveryPpm,
  };
}

function rowJson(row: SimulationRow) {
  return {
    currency: row.currency,
    key: row.key,
    label: row.label,
    actual: figuresJson(row.actual),
    proposed: figuresJson(row.proposed),
  };
}

export function simulationJson(result: RouteSimulation): Record<string, unknown> {
  return {
    from: result.from,
    to: result.to,
    days: result.days,
    proposed_table: result.proposedTable,
    proposed_costs: result.proposedCosts,
    providers_assumed_available: true,
    unconfigured_providers: result.unconfigured,
    totals: result.totals.map((t) => ({
      currency: t.currency,
      moved: t.moved,
      unrouted: t.unrouted,
      refused: t.refused,
      refused_revenue: formatMinor(t.refusedRevenueMinor),
      actual: figuresJson(t.actual),
      proposed: figuresJson(t.proposed),
    })),
    providers: result.providers.map(rowJson),
    countries: result.countries.map(rowJson),
  };
}

export const SIMULATION_CSV_HEADER = [
  'section',
  'currency',
  'key',
  'name',
  ...['actual', 'proposed'].flatMap((side) =>
    ['messages', 'revenue', 'cost', 'cost_unknown', 'margin', 'expected_delivery'].map((f) => `${side}_${f}`),
  ),
  'proposed_refused',
  'proposed_refused_revenue',
].join(',');

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function figuresCsv(f: SimulationFigures): string[] {
  return [
    String(f.messages),
    formatMinor(f.revenueMinor),
    formatMinor(f.costMinor),
    String(f.costUnknown),
    formatMinor(f.marginMinor),
    f.expectedDeliveryPpm === null ? '' : (f.expectedDeliveryPpm / 10_000).toFixed(4),
  ];
}

/** The comparison as CSV: one line per currency's total, provider and country, actual then proposed figures. */
export function simulationCsv(result: RouteSimulation): string {
  const lines = [SIMULATION_CSV_HEADER];
  const line = (
    section: string,
    currency: string,
    key: string,
    name: string,
    a: SimulationFigures,
    p: SimulationFigures,
  ) =>
    lines.push(
      [
        section,
        currency,
        csvCell(key),
        csvCell(name),
        ...figuresCsv(a),
        ...figuresCsv(p),
        String(p.refused),
        formatMinor(p.refusedRevenueMinor),
      ].join(','),
    );
  for (const t of result.totals) line('total', t.currency, '', '', t.actual, t.proposed);
  for (const r of result.providers) line('provider', r.currency, r.key, r.label, r.actual, r.proposed);
  for (const r of result.countries) line('country', r.currency, r.key, r.label, r.actual, r.proposed);
  return `${lines.join('\r\n')}\r\n`;
}

function signed(minor: number, currency: string): string {
  const text = money(formatMinor(Math.abs(minor)), currency);
  return minor > 0 ? `+${text}` : minor < 0 ? `-${text}` : text;
}

function groupTable(what: string, rows: readonly SimulationRow[]): string {
  const columns = [
    'CURRENCY',
    what,
    'MESSAGES',
    'COST',
    'MARGIN',
    'DELIVERY',
    '→ MESSAGES',
    '→ COST',
    '→ MARGIN',
    '→ DELIVERY',
  ].map((header, i) => ({ header, align: i < 2 ? ('left' as const) : ('right' as const) }));
  return table(
    columns,
    rows.map((r) => [
      r.currency,
      r.key === ''
        ? what === 'PROVIDER'
          ? '(none)'
          : NONE
        : r.label && r.label !== r.key
          ? `${r.key} ${r.label}`
          : r.key,
      String(r.actual.messages),
      money(formatMinor(r.actual.costMinor), r.currency),
      money(formatMinor(r.actual.marginMinor), r.currency),
      percent(r.actual.expectedDeliveryPpm),
      String(r.proposed.messages),
      money(formatMinor(r.proposed.costMinor), r.currency),
      money(formatMinor(r.proposed.marginMinor), r.currency),
      percent(r.proposed.expectedDeliveryPpm),
    ]),
  );
}

/** What the replay assumes of the providers, and which named ones this process has no configuration for. */
export function providersNote(result: RouteSimulation): string {
  const assumed =
    'Every provider a rule names is assumed available: the configuration of the workers that would send is not known here.';
  if (result.unconfigured === null) return `${assumed} This process's provider configuration could not be read.`;
  if (result.unconfigured.length === 0) return assumed;
  return `${assumed} Not configured in this process: ${result.unconfigured.join(', ')}.`;
}

export function simulationText(result: RouteSimulation, proposal: string): string {
  const title = `Replay of ${result.from} to ${result.to} (UTC), ${result.days} day${result.days === 1 ? '' : 's'}: ${proposal}. Nothing was written.\n${providersNote(result)}`;
  if (result.totals.length === 0) return `${title}\nNo handed-over messages in this period.`;
  const totals = result.totals.map((t) => {
    const c = t.currency;
    const rows = [
      ['messages', String(t.actual.messages), String(t.proposed.messages), ''],
      [
        'revenue',
        money(formatMinor(t.actual.revenueMinor), c),
        money(formatMinor(t.proposed.revenueMinor), c),
        signed(t.proposed.revenueMinor - t.actual.revenueMinor, c),
      ],
      [
        'cost',
        money(formatMinor(t.actual.costMinor), c),
        money(formatMinor(t.proposed.costMinor), c),
        signed(t.proposed.costMinor - t.actual.costMinor, c),
      ],
      ['cost unknown', String(t.actual.costUnknown), String(t.proposed.costUnknown), ''],
      [
        'margin',
        money(formatMinor(t.actual.marginMinor), c),
        money(formatMinor(t.proposed.marginMinor), c),
        signed(t.proposed.marginMinor - t.actual.marginMinor, c),
      ],
      ['expected delivery', percent(t.actual.expectedDeliveryPpm), percent(t.proposed.expectedDeliveryPpm), ''],
      ['refused at a loss', '', String(t.refused), ''],
      ['revenue refused', '', money(formatMinor(t.refusedRevenueMinor), c), ''],
    ];
    const head = `${c}: ${t.moved} moved to another provider, ${t.unrouted} without a provider, ${t.refused} refused at a loss (${money(formatMinor(t.refusedRevenueMinor), c)} of revenue)`;
    return `${head}\n${table(
      [
        { header: '' },
        { header: 'ACTUAL', align: 'right' },
        { header: 'PROPOSED', align: 'right' },
        { header: 'CHANGE', align: 'right' },
      ],
      rows,
    )}`;
  });
  return [
    title,
    ...totals,
    'By provider (actual, then → proposed):',
    groupTable('PROVIDER', result.providers),
    'By country (actual, then → proposed):',
    groupTable('COUNTRY', result.countries),
  ].join('\n\n');
}

/** Runs `smsgic routes simulate …` (argv after "simulate"). */
export async function routesSimulateCommand(
  argv: readonly string[],
  db: () => Promise<Db>,
  errors: SimulateErrors,
): Promise<SimulatePrinted> {
  let values: { days?: string; rules?: string; costs?: string[]; account?: string; csv?: boolean };
  try {
    const parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true });
    values = parsed.values;
  } catch (error) {
    throw errors.usage((error as Error).message);
  }
  const daysText = values.days ?? '7';
  const days = /^\d{1,4}$/.test(daysText) ? Number(daysText) : Number.NaN;
  const badDays = daysProblem(days);
  if (badDays !== null) throw errors.usage(`--${badDays}`);
  let accountId: number | null = null;
  if (values.account !== undefined) {
    if (!/^\d{1,15}$/.test(values.account)) throw errors.usage('--account must be a positive whole number');
    accountId = Number(values.account);
  }
  const costSpecs = (values.costs ?? []).map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1) throw errors.usage(`--costs takes PROVIDER=FILE.csv, got "${spec}"`);
    return { provider: spec.slice(0, at), file: spec.slice(at + 1) };
  });
  const seen = new Set<string>();
  for (const { provider } of costSpecs) {
    if (seen.has(provider)) throw errors.usage(`--costs names ${provider} twice`);
    seen.add(provider);
  }
  const database = await db();
  const configured = configuredProviders();
  const deps = {
    db: database,
    knownProviders: knownProviders(),
    defaultProviders: builtInOrder(configured),
    ...(configured && { configured }),
  };
  let rules: readonly RouteRule[] | null = null;
  if (values.rules !== undefined) {
    const read = await proposedTableFromJson(deps, readText(values.rules, errors));
    if (!read.ok) throw errors.refused(`${values.rules}: ${read.problem}; nothing was simulated`);
    rules = read.rules;
  }
  const costs: CostList[] = [];
  for (const { provider, file } of costSpecs) {
    const read = await proposedCostList(deps, provider, readText(file, errors));
    if (!read.ok) {
      const where = read.field === 'cost_provider' ? '--costs' : file;
      throw errors.refused(`${where}: ${read.problem}; nothing was simulated`);
    }
    costs.push(read.list);
  }
  const result = await simulateRoutes(deps, { days, rules, costs, accountId });
  const json = simulationJson(result);
  if (values.csv) return { json, text: simulationCsv(result), raw: true };
  const parts = [
    rules === null ? 'the current route table' : `the route table of ${values.rules}`,
    costs.length === 0 ? 'the current cost lists' : `proposed costs for ${costs.map((c) => c.provider).join(', ')}`,
  ];
  return { json, text: simulationText(result, parts.join(', ')) };
}
