// The answer to a sending refused by one of its account's spend caps.
import { formatMinor } from '../domain/money.js';
import { ruleText, ValidationErrors } from '../domain/texts.js';
import type { SpendLimitExceeded } from '../store/spend-limits.js';

/** The 422 of a sending refused by a spend cap: under `spend_limit`, the cap, what is spent and what it needed. */
export function spendLimitErrors(refusal: SpendLimitExceeded, currencyCode: string): ValidationErrors {
  const amount = (minor: number) => `${formatMinor(minor)} ${currencyCode}`;
  return new ValidationErrors().add(
    'spend_limit',
    ruleText.spendLimit(
      refusal.period,
      amount(refusal.limitMinor),
      amount(refusal.spentMinor),
      amount(refusal.requiredMinor),
    ),
  );
}
