// The operator's numbers and account controls as the dashboard API answers them (see contract.ts).
import type { AccountCountries, SpendLimits } from '../../services/account-controls.js';
import type { OperatorNumber } from '../../services/operator-numbers.js';
import type { AccountControlsView, OperatorNumberView } from './contract.js';
import { countriesView, isoMs } from './views.js';

export function operatorNumberView(number: OperatorNumber): OperatorNumberView {
  return {
    id: number.id,
    number: number.number,
    keyword: number.keyword,
    account_id: number.accountId,
    account_name: number.accountName,
    created_at: isoMs(number.createdAtUs),
  };
}

export function accountControlsView(controls: {
  countries: AccountCountries;
  limits: SpendLimits;
}): AccountControlsView {
  return { countries: countriesView(controls.countries), spend_limits: controls.limits };
}
