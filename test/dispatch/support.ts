// Builders for the dispatch tests: sendings to chosen numbers, a fake clock, routers over the sandbox and fakes.
import type { ProviderAdapter } from '../../src/dispatch/provider.js';
import type { CircuitPolicy } from '../../src/dispatch/provider-health.js';
import { createMemorySandboxUpstream, type SandboxUpstream } from '../../src/dispatch/providers/sandbox/upstream.js';
import { createRegistry } from '../../src/dispatch/registry.js';
import { createRouter, type Router, type RouteTable } from '../../src/dispatch/router.js';
import type { Db } from '../../src/store/db.js';
import { createSending, getSending, type MessageRow, type NewSending, type Sending } from '../../src/store/sendings.js';
import { US_PER_MS } from '../../src/store/time.js';
import { fundedAccount } from '../support/store-fixtures.js';

export const RATE_MINOR = 4_397;

/** A clock the test moves by hand: scheduling, backoff and leases without sleeping. */
export interface FakeClock {
  readonly clockUs: () => number;
  advanceMs(ms: number): void;
}

export function fakeClock(startUs = Date.UTC(2030, 0, 1) * US_PER_MS): FakeClock {
  let nowUs = startUs;
  return {
    clockUs: () => nowUs,
    advanceMs(ms) {
      nowUs += Math.round(ms * US_PER_MS);
    },
  };
}

export interface SendingOptions {
  readonly rateMinor?: number;
  readonly parts?: number;
  readonly taxMinor?: number;
  readonly scheduledAtUs?: number;
  readonly callbackUrl?: string;
  readonly type?: NewSending['type'];
  readonly mcc?: string;
  readonly mnc?: string | null;
  /** The text (default a short GSM-7 code); give `parts` and `encoding` to match it. */
  readonly text?: string;
  readonly encoding?: NewSending['encoding'];
  /** Default `SMSgic` (alphanumeric). */
  readonly sender?: string;
  readonly validityMinutes?: number;
}

/** Numbers that end with the given four digits (the sandbox's script), distinct for distinct i. */
export function numberEndingWith(suffix: string, i = 0): string {
  return `3712${String(i).padStart(3, '0')}${suffix}`;
}

function* rowsOf(recipients: Iterable<string>, options: SendingOptions): Generator<MessageRow> {
  const rateMinor = options.rateMinor ?? RATE_MINOR;
  const parts = options.parts ?? 1;
  for (const recipient of recipients) {
    yield {
      recipient,
      countryId: 1,
      mcc: options.mcc ?? '247',
      mnc: options.mnc === undefined ? '01' : options.mnc,
      destination: 'Latvia LMT',
      parts,
      rateMinor,
      costMinor: rateMinor * parts,
    };
  }
}

export function sendingTo(accountId: number, recipients: readonly string[], options: SendingOptions = {}): NewSending {
  const parts = options.parts ?? 1;
  const subtotalMinor = recipients.length * parts * (options.rateMinor ?? RATE_MINOR);
  const taxMinor = options.taxMinor ?? 0;
  return {
    accountId,
    text: options.text ?? 'Your code is 1234',
    sender: options.sender ?? 'SMSgic',
    type: options.type ?? 'default',
    encoding: options.encoding ?? 'GSM-7',
    partsPerMessage: parts,
    recipients: recipients.length,
    smsCount: recipients.length * parts,
    subtotalMinor,
    taxMinor,
    totalMinor: subtotalMinor + taxMinor,
    scheduledAtUs: options.scheduledAtUs ?? null,
    callbackUrl: options.callbackUrl ?? null,
    validityMinutes: options.validityMinutes ?? null,
    messages: rowsOf(recipients, options),
  };
}

/** A funded account with one stored sending to `recipients`; the account holds exactly its total. */
export async function storedSending(
  db: Db,
  recipients: readonly string[],
  options: SendingOptions & { readonly extraBalanceMinor?: number } = {},
): Promise<{ accountId: number; sending: Sending; totalMinor: number }> {
  const draft = sendingTo(0, recipients, options);
  const accountId = await fundedAccount(db, draft.totalMinor + (options.extraBalanceMinor ?? 0));
  const created = await createSending(db, { ...draft, accountId, messages: rowsOf(recipients, options) });
  if (!created.ok) throw new Error(`sending refused: ${created.reason}`);
  return { accountId, sending: created.sending, totalMinor: draft.totalMinor };
}

/** One more stored sending of an account that holds enough for it (see `extraBalanceMinor`). */
export async function sendingOf(
  db: Db,
  accountId: number,
  recipients: readonly string[],
  options: SendingOptions = {},
): Promise<Sending> {
  const created = await createSending(db, {
    ...sendingTo(accountId, recipients, options),
    messages: rowsOf(recipients, options),
  });
  if (!created.ok) throw new Error(`sending refused: ${created.reason}`);
  return created.sending;
}

export async function statusOf(db: Db, accountId: number, sendingId: number): Promise<string | undefined> {
  return (await getSending(db, accountId, sendingId))?.status;
}

/** A router over the sandbox (zero report delay unless said) and any fake adapters, with an optional route table. */
export function routerWith(
  clockUs: () => number,
  options: {
    readonly upstream?: SandboxUpstream;
    readonly reportDelayMs?: number;
    readonly adapters?: readonly ProviderAdapter[];
    readonly table?: RouteTable;
    readonly circuit?: Partial<CircuitPolicy>;
  } = {},
): Router {
  const registry = createRegistry({
    clockUs,
    sandbox: {
      upstream: options.upstream ?? createMemorySandboxUpstream({ soleProcess: true }),
      reportDelayMs: options.reportDelayMs ?? 0,
    },
    ...(options.adapters && { adapters: options.adapters }),
  });
  // The circuits run on the same clock as the dispatcher, so that a fake clock also moves their cool-downs.
  return createRouter(registry, options.table, { clockUs, ...(options.circuit && { circuit: options.circuit }) });
}

/** Polls `check` until it holds or `timeoutMs` passes (for tests that run real worker loops or processes). */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
