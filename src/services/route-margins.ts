// A route that never silently sends at a loss: each recipient of a new sending is checked against the rule the route
// table gives it (domain/route-margin.ts); a rule whose loss policy is `refuse` refuses the recipients every provider
// of which costs more than the customer's rate of a part. What calculate, POST /sendings and the dashboard share.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RECIPIENT_ERRORS_MAX } from '../domain/limits.js';
import { type Quote, recipientDigits, recipientList } from '../domain/pricing.js';
import { EMPTY_QUALITY_BOOK } from '../domain/provider-costs.js';
import { mayRefuseAtLoss, ruleMargin } from '../domain/route-margin.js';
import { type RoutingBooks, type RoutingInput, ruleOf } from '../domain/routing.js';
import { ruleText, type ValidationErrors } from '../domain/texts.js';
import type { Db } from '../store/db.js';
import { readQualityBook } from '../store/delivery-quality.js';
import { type CostBookCache, createCostBookCache } from '../store/provider-costs.js';
import { conversionRatesPpm } from '../store/rates.js';
import { readRouteTable } from '../store/route-rules.js';

/** Every provider this build knows and those the configuration turns on (the sandbox always). */
export interface ProviderChoice {
  readonly known: readonly string[];
  readonly configured: ReadonlySet<string>;
}

/**
 * The default rule's meaning when it names none: the configured real providers in the catalog's order, else the
 * first one (the sandbox).
 */
export function builtInProviderOrder(catalog: ProviderChoice): readonly string[] {
  const real = catalog.known.slice(1).filter((name) => catalog.configured.has(name));
  return real.length > 0 ? real : catalog.known.slice(0, 1);
}

/** What the route of a message may use: the built-in order, and which providers a process has (absent: any). */
export interface RouteProviders {
  readonly defaults: readonly string[];
  readonly usable?: (provider: string) => boolean;
}

/** The providers as a server configured with `catalog` routes to them; none known: no default, every one usable. */
export function routeProvidersOf(catalog: ProviderChoice | undefined): RouteProviders {
  if (catalog === undefined) return { defaults: [] };
  return { defaults: builtInProviderOrder(catalog), usable: (name) => catalog.configured.has(name) };
}

const costCaches = new WeakMap<Db, CostBookCache>();

/**
 * The books routing reads, from the database: the cost lists (read again only when their version moved), the
 * conversion rates and, when asked (the order of a least-cost rule shown to the operator), the delivery quality.
 */
export async function readRoutingBooks(db: Db, options: { readonly quality?: boolean } = {}): Promise<RoutingBooks> {
  let costs = costCaches.get(db);
  if (costs === undefined) {
    costs = createCostBookCache(db);
    costCaches.set(db, costs);
  }
  const [costBook, rates, qualityBook] = await Promise.all([
    costs.current(),
    conversionRatesPpm(db),
    options.quality === true ? readQualityBook(db) : EMPTY_QUALITY_BOOK,
  ]);
  return { costBook, qualityBook, ratePpmOf: (currency) => rates.get(currency) ?? null };
}

/** Recipients checked between two turns of the event loop. */
const RECIPIENTS_PER_TURN = 8192;

/**
 * The priced recipients (digits) whose rule refuses to send them at a loss. Reads nothing more than the route table's
 * version when no rule refuses at a loss, and not even that when `routeTableVersion` gives it as the request read it.
 * `fields` are the request's: its type (absent: `default`) and sender decide the rule as they decide it in dispatch.
 */
export async function refusedAtLoss(
  db: Db,
  providers: RouteProviders,
  account: { readonly id: number; readonly currency: { readonly code: string } },
  quote: Quote,
  fields: Readonly<Record<string, unknown>>,
  routeTableVersion?: number,
): Promise<Set<string>> {
  const refused = new Set<string>();
  const type = fields.type === undefined || fields.type === null || fields.type === '' ? 'default' : fields.type;
  if (type !== 'default') return refused;
  const { routes } = await readRouteTable(db, routeTableVersion);
  if (!mayRefuseAtLoss(routes) || quote.recipients.length === 0) return refused;
  const sender = typeof fields.sender === 'string' ? fields.sender.trim() : null;
  let books: RoutingBooks | null = null;
  // The answer of a rule for a destination, whatever number of it: a rule's providers and costs depend on no more.
  const decided = new Map<string, boolean>();
  for (let i = 0; i < quote.recipients.length; i++) {
    if (i > 0 && i % RECIPIENTS_PER_TURN === 0) await nextTurn();
    const recipient = quote.recipients[i] as string;
    const d = quote.destinationOf[i] as number;
    const destination = quote.destinations[d];
    if (destination === undefined) continue;
    const input: RoutingInput = {
      type,
      mcc: destination.mcc,
      mnc: destination.mnc,
      recipient,
      accountId: account.id,
      sender,
    };
    const rule = ruleOf(routes, input);
    if (rule === null || rule.loss !== 'refuse') continue;
    const key = `${rule.id}|${d}`;
    let refuses = decided.get(key);
    if (refuses === undefined) {
      books ??= await readRoutingBooks(db);
      const customer = { rateMinor: destination.rateMinor, currency: account.currency.code };
      refuses = ruleMargin(rule, input, books, providers.defaults, customer, providers.usable).refused;
      decided.set(key, refuses);
    }
    if (refuses) refused.add(recipient);
  }
  return refused;
}

/**
 * Each of `refused` (digits) as given in the request's `recipients`, in their order, with the place N of its first
 * mention: what an error `recipients.N` names.
 */
export function refusedPlaces(
  refused: ReadonlySet<string>,
  recipients: unknown,
): { readonly index: number; readonly given: unknown }[] {
  const left = new Set(refused);
  const list = recipientList(recipients) ?? [];
  const places: { index: number; given: unknown }[] = [];
  for (let i = 0; i < list.length && left.size > 0; i++) {
    const digits = recipientDigits(list[i]);
    if (digits === null || !left.delete(digits)) continue;
    places.push({ index: i, given: list[i] });
  }
  return places;
}

/**
 * Adds to `errors`, under `recipients.N` (N the recipient's first place in the request, as other recipient errors),
 * each priced recipient whose rule refuses to send it at a loss (`refusedAtLoss`, `routeTableVersion` as there); at
 * most RECIPIENT_ERRORS_MAX.
 */
export async function refuseAtLoss(
  db: Db,
  providers: RouteProviders,
  account: { readonly id: number; readonly currency: { readonly code: string } },
  quote: Quote,
  fields: Readonly<Record<string, unknown>>,
  errors: ValidationErrors,
  routeTableVersion?: number,
): Promise<void> {
  const refused = await refusedAtLoss(db, providers, account, quote, fields, routeTableVersion);
  if (refused.size === 0) return;
  const places = refusedPlaces(refused, fields.recipients).slice(0, RECIPIENT_ERRORS_MAX);
  for (const { index } of places) errors.add(`recipients.${index}`, ruleText.noRouteAtRate(`recipients.${index}`));
  if (places.length === 0) errors.add('recipients', ruleText.noRouteAtRate('recipients'));
}
