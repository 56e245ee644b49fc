// Builders of accounts and sendings for the store tests and the sending benchmark.
import { NO_QUALITY_THRESHOLDS, type RouteRule } from '../../src/domain/routing.js';
import { createAccount } from '../../src/store/accounts.js';
import type { Db } from '../../src/store/db.js';
import { credit } from '../../src/store/ledger.js';
import { addRouteRule, type RouteRuleFields } from '../../src/store/route-rules.js';
import type { MessageRow, NewSending } from '../../src/store/sendings.js';

export interface SendingShape {
  readonly recipients: number;
  readonly rateMinor?: number;
  readonly parts?: number;
  readonly taxMinor?: number;
  /** Index of a recipient whose row carries `badParts` instead of `parts`, to make an insert fail part-way. */
  readonly badRowAt?: number;
  readonly badParts?: number;
  readonly idempotency?: { readonly key: string; readonly requestSha256: string };
}

/** Latvian-looking numbers, distinct for distinct i: 37120000000 + i. */
export function recipientOf(i: number): string {
  return String(37_120_000_000 + i);
}

function* rows(shape: SendingShape): Generator<MessageRow> {
  const rateMinor = shape.rateMinor ?? 4397;
  const parts = shape.parts ?? 1;
  for (let i = 0; i < shape.recipients; i++) {
    const rowParts = i === shape.badRowAt ? (shape.badParts ?? 0) : parts;
    yield {
      recipient: recipientOf(i),
      countryId: 1,
      mcc: '247',
      mnc: i % 2 === 0 ? '01' : null,
      destination: i % 2 === 0 ? 'Latvia LMT' : 'Latvia',
      parts: rowParts,
      rateMinor,
      costMinor: rateMinor * rowParts,
    };
  }
}

/** What one sending of `shape` costs, tax included. */
export function sendingTotalMinor(shape: SendingShape): number {
  return shape.recipients * (shape.parts ?? 1) * (shape.rateMinor ?? 4397) + (shape.taxMinor ?? 0);
}

/** A NewSending whose rows come from a generator: never more than one chunk of them in memory. */
export function newSending(accountId: number, shape: SendingShape): NewSending {
  const parts = shape.parts ?? 1;
  const subtotalMinor = shape.recipients * parts * (shape.rateMinor ?? 4397);
  const taxMinor = shape.taxMinor ?? 0;
  return {
    accountId,
    text: 'Hello from SMSgic',
    sender: 'SMSgic',
    type: 'default',
    encoding: 'GSM-7',
    partsPerMessage: parts,
    recipients: shape.recipients,
    smsCount: shape.recipients * parts,
    subtotalMinor,
    taxMinor,
    totalMinor: subtotalMinor + taxMinor,
    idempotency: shape.idempotency ?? null,
    messages: rows(shape),
  };
}

/** An account holding `balanceMinor`. */
export async function fundedAccount(db: Db, balanceMinor: number, name = 'acme'): Promise<number> {
  const account = await createAccount(db, { name, currency: 'GBP' });
  if (balanceMinor > 0) {
    const credited = await credit(db, account.id, balanceMinor, 'opening balance');
    if (!credited.ok) throw new Error(`credit failed: ${credited.reason}`);
  }
  return account.id;
}

/**
 * A route rule for the account's messages to Latvia (MCC 247) alone, so that other tests' rules never match them: to
 * the sandbox, refusing to send at a loss, unless `fields` say otherwise. Throws when the store refuses it.
 */
export async function latviaRouteRule(
  db: Db,
  accountId: number,
  fields: Partial<RouteRuleFields> = {},
): Promise<RouteRule> {
  const added = await addRouteRule(db, {
    mcc: '247',
    mnc: null,
    prefix: null,
    accountId,
    sendingType: null,
    senderKind: null,
    strategy: 'failover',
    providers: ['sandbox'],
    quality: NO_QUALITY_THRESHOLDS,
    loss: 'refuse',
    ...fields,
  });
  if (!added.ok) throw new Error(added.problem);
  return added.rule;
}
