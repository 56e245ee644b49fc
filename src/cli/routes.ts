// `smsgic routes …`: the operator's route table from the command line, over the same use cases as the dashboard.

import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { loadNumberingPlan } from '../data/numbering.js';
import { SANDBOX_PROVIDER } from '../dispatch/providers/sandbox/adapter.js';
import { providerCatalog, REAL_PROVIDERS } from '../dispatch/registry.js';
import { formatMinor } from '../domain/money.js';
import type { RouteRule } from '../domain/routing.js';
import { isSendingType } from '../domain/sending.js';
import { routeRuleView } from '../http/dashboard/views.js';
import {
  createRouteServices,
  type RouteChange,
  type RouteRuleInput,
  type RouteTestMargin,
} from '../services/routes.js';
import type { Db } from '../store/db.js';
import { fields, money, NONE, table } from './print.js';

export const ROUTES_USAGE = `  smsgic routes list                                (the route table in order; the default rule last)
  smsgic routes add --strategy fixed|failover|least_cost --providers A,B [--mcc M --mnc N --prefix DIGITS
                    --account ID --type TYPE --sender-kind alphanumeric|numeric --min-delivery PCT
                    --max-latency-ms MS --min-reports N --loss send|refuse] [--position N]
  smsgic routes update ID (the whole rule, with the options of add; the default rule takes only strategy, providers,
                    thresholds and loss)
  smsgic routes remove ID
  smsgic routes move ID POSITION
  smsgic routes test NUMBER [--account ID --type TYPE --sender NAME]   (the rule that matches, its providers, what
                    a part costs at each beside the customer's rate, and whether the rule refuses at a loss)`;

/** What `run` prints: one JSON object, or text for a person. */
export interface RoutesPrinted {
  readonly json: Record<string, unknown>;
  readonly text: string;
}

/** The operator's mistake (exit 2) or a refusal (exit 1), as the CLI's own errors. */
export interface RoutesErrors {
  usage(message: string): Error;
  refused(message: string): Error;
}

const OPTIONS = {
  json: { type: 'boolean' },
  strategy: { type: 'string' },
  providers: { type: 'string' },
  mcc: { type: 'string' },
  mnc: { type: 'string' },
  prefix: { type: 'string' },
  account: { type: 'string' },
  type: { type: 'string' },
  'sender-kind': { type: 'string' },
  'min-delivery': { type: 'string' },
  'max-latency-ms': { type: 'string' },
  'min-reports': { type: 'string' },
  loss: { type: 'string' },
  position: { type: 'string' },
  sender: { type: 'string' },
} as const;

/** The configured real providers in the default order, else the sandbox: what the default rule means by none. */
function builtInOrder(): readonly string[] {
  let configured: ReadonlySet<string>;
  try {
    configured = providerCatalog(loadConfig().providers).configured;
  } catch {
    return [SANDBOX_PROVIDER];
  }
  const real = REAL_PROVIDERS.filter((name) => configured.has(name));
  return real.length > 0 ? real : [SANDBOX_PROVIDER];
}

/** Every provider this build knows: what a rule may name. */
function knownProviders(): readonly string[] {
  return [SANDBOX_PROVIDER, ...REAL_PROVIDERS];
}

function matchText(rule: RouteRule): string {
  if (rule.isDefault) return 'everything else';
  const parts = [
    rule.mcc !== null && `mcc ${rule.mcc}${rule.mnc !== null ? ` mnc ${rule.mnc}` : ''}`,
    rule.prefix !== null && `prefix ${rule.prefix}`,
    rule.accountId !== null && `account ${rule.accountId}`,
    rule.sendingType !== null && `type ${rule.sendingType}`,
    rule.senderKind !== null && `${rule.senderKind} sender`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length === 0 ? 'everything' : parts.join(', ');
}

function providersText(rule: RouteRule): string {
  return rule.providers.length === 0 ? '(built-in order)' : rule.providers.join(',');
}

function listText(rules: readonly RouteRule[]): string {
  return table(
    [
      { header: 'ID', align: 'right' },
      { header: 'POS', align: 'right' },
      { header: 'MATCHES' },
      { header: 'STRATEGY' },
      { header: 'PROVIDERS' },
      { header: 'LOSS' },
    ],
    rules.map((r) => [
      String(r.id),
      r.isDefault ? NONE : String(r.position),
      matchText(r),
      r.strategy,
      providersText(r),
      r.loss,
    ]),
  );
}

function inputOf(values: Record<string, string | boolean | undefined>): RouteRuleInput {
  return {
    strategy: values.strategy,
    providers: values.providers,
    mcc: values.mcc,
    mnc: values.mnc,
    prefix: values.prefix,
    account_id: values.account,
    type: values.type,
    sender_kind: values['sender-kind'],
    min_delivery: values['min-delivery'],
    max_latency_ms: values['max-latency-ms'],
    min_reports: values['min-reports'],
    loss: values.loss,
  };
}

function idOf(word: string | undefined, what: string, errors: RoutesErrors): number {
  if (word === undefined || !/^\d{1,15}$/.test(word)) throw errors.usage(`${what} must be a positive whole number`);
  return Number(word);
}

function changedRule(result: RouteChange, errors: RoutesErrors, done: string): RoutesPrinted {
  if (!result.ok) {
    throw result.reason === 'invalid' ? errors.usage(result.problem) : errors.refused(result.problem);
  }
  return {
    json: { ...routeRuleView(result.rule) },
    text: `${done} rule ${result.rule.id}: ${matchText(result.rule)}.`,
  };
}

/** Runs `smsgic routes <sub> …` (argv after "routes"). */
export async function routesCommand(
  argv: readonly string[],
  db: () => Promise<Db>,
  errors: RoutesErrors,
): Promise<RoutesPrinted> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw errors.usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub, first, second] = positionals;
  const services = () =>
    db().then((database) => {
      const known = knownProviders();
      return createRouteServices({
        db: database,
        plan: loadNumberingPlan(),
        knownProviders: known,
        defaultProviders: builtInOrder(),
      });
    });
  switch (sub) {
    case 'list': {
      const rules = await (await services()).list();
      return { json: { routes: rules.map(routeRuleView) }, text: listText(rules) };
    }
    case 'add': {
      if (values.strategy === undefined) throw errors.usage('--strategy is required');
      if (values.providers === undefined) throw errors.usage('--providers is required');
      const position = values.position === undefined ? undefined : idOf(values.position, '--position', errors);
      return changedRule(await (await services()).add(inputOf(values), position), errors, 'Added');
    }
    case 'update':
      return changedRule(
        await (await services()).update(idOf(first, 'ID', errors), inputOf(values)),
        errors,
        'Updated',
      );
    case 'remove':
      return changedRule(await (await services()).remove(idOf(first, 'ID', errors)), errors, 'Removed');
    case 'move': {
      const id = idOf(first, 'ID', errors);
      const result = await (await services()).move(id, idOf(second, 'POSITION', errors));
      return changedRule(result, errors, `Moved to position ${second}:`);
    }
    case 'test':
      return routeTest(await services(), first, values, errors);
    default:
      throw errors.usage(sub === undefined ? 'routes: a subcommand is required' : `unknown command "routes ${sub}"`);
  }
}

async function routeTest(
  services: ReturnType<typeof createRouteServices>,
  number: string | undefined,
  values: Record<string, string | boolean | undefined>,
  errors: RoutesErrors,
): Promise<RoutesPrinted> {
  if (number === undefined) throw errors.usage('NUMBER is required');
  const type = typeof values.type === 'string' ? values.type : 'default';
  if (!isSendingType(type)) throw errors.usage(`--type: unknown sending type "${type}"`);
  const accountId = typeof values.account === 'string' ? idOf(values.account, '--account', errors) : null;
  const sender = typeof values.sender === 'string' ? values.sender : null;
  const found = await services.test({ number, accountId, type, sender });
  if (found === null) throw errors.usage(`"${number}" is not a number of any country`);
  const json = {
    number,
    mcc: found.mcc,
    mnc: found.mnc,
    rule: found.rule === null ? null : routeRuleView(found.rule),
    providers: found.providers,
    margin: found.margin === null ? null : marginJson(found.margin),
  };
  const lines = fields([
    ['network', `${found.mcc ?? NONE}${found.mnc === null ? '' : ` ${found.mnc}`}`],
    [
      'rule',
      found.rule === null ? `none (type ${type} names its provider)` : `${found.rule.id}: ${matchText(found.rule)}`,
    ],
    ['providers', found.providers.length === 0 ? NONE : found.providers.join(' → ')],
  ]);
  if (found.margin === null || found.rule === null) return { json, text: lines };
  return { json, text: `${lines}\n${marginText(found.margin, found.rule)}` };
}

function marginJson(margin: RouteTestMargin) {
  const amount = (minor: number | null) => (minor === null ? null : formatMinor(minor));
  return {
    currency: margin.currency,
    rate: amount(margin.rateMinor),
    candidates: margin.candidates.map((c) => ({
      provider: c.provider,
      cost: c.cost === null ? null : formatMinor(c.cost.amountMinor),
      cost_currency: c.cost?.currency ?? null,
      cost_converted: amount(c.costMinor),
      margin: amount(c.marginMinor),
    })),
    at_loss: margin.atLoss,
    refused: margin.refused,
  };
}

/** Each provider's cost of a part beside the customer's rate, and what the rule does when every one loses money. */
function marginText(margin: RouteTestMargin, rule: RouteRule): string {
  const inCurrency = (minor: number | null) => (minor === null ? NONE : money(formatMinor(minor), margin.currency));
  const rows = margin.candidates.map((c) => [
    c.provider,
    c.cost === null ? 'no cost list row' : money(formatMinor(c.cost.amountMinor), c.cost.currency),
    c.cost === null ? NONE : c.costMinor === null ? 'no conversion rate' : inCurrency(c.costMinor),
    inCurrency(margin.rateMinor),
    inCurrency(c.marginMinor),
  ]);
  const costs = table(
    [
      { header: 'PROVIDER' },
      { header: 'COST', align: 'right' },
      { header: `COST (${margin.currency})`, align: 'right' },
      { header: 'RATE', align: 'right' },
      { header: 'MARGIN', align: 'right' },
    ],
    rows,
  );
  const verdict =
    margin.rateMinor === null
      ? `The price list has no rate for this number in ${margin.currency}: the margin is unknown.`
      : !margin.atLoss
        ? 'Not at a loss: at least one provider costs no more than the rate (or its cost is unknown).'
        : margin.refused
          ? `Every provider costs more than the rate: rule ${rule.id} refuses to send at a loss (loss refuse).`
          : `Every provider costs more than the rate: rule ${rule.id} sends at a loss anyway (loss send).`;
  return `${margin.candidates.length === 0 ? 'costs: -' : costs}\n${verdict}`;
}
