// The kinds of ledger entry, defined once here.

/**
 * `credit` and `debit`: the operator's top-ups and corrections; `reservation`: a sending's cost held at creation;
 * `refund`: what a sending gives back (cancelled, failed or rejected messages).
 */
export const LEDGER_KINDS = ['credit', 'debit', 'reservation', 'refund'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
