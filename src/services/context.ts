// What every dashboard use case works with: its dependencies, the public API's services over the same database, and
// the signed-in person.
import { effectiveCountries } from '../domain/destinations.js';
import { currencyOf } from '../domain/money.js';
import type { Account } from '../store/accounts.js';
import type { LoginLimits } from '../store/login-failures.js';
import type { ActiveSession } from '../store/sessions.js';
import type { ApiServicesDeps } from './api-services.js';
import type { ApiServices, AuthenticatedAccount } from './ports.js';

export interface DashboardServicesDeps extends ApiServicesDeps {
  /** Every provider the platform knows and which are configured, for the operator's provider view. */
  readonly providers?: { readonly known: readonly string[]; readonly configured: ReadonlySet<string> };
  readonly loginLimits?: LoginLimits;
  /** The public API's services over the same database; built from the other deps when absent. */
  readonly api?: ApiServices;
}

/** The dependencies once resolved: the public API's services are always there. */
export interface UseCaseContext {
  readonly deps: DashboardServicesDeps;
  readonly api: ApiServices;
}

/** Whoever a session cookie names, as read at the start of the request. */
export type Actor = ActiveSession;

/** The account as the public API's services take it (currency resolved, balance as read with the session). */
export function authenticated(account: Account): AuthenticatedAccount {
  const currency = currencyOf(account.currency);
  if (!currency) throw new Error(`account ${account.id} has unknown currency ${account.currency}`);
  return {
    id: account.id,
    currency,
    taxRatePpm: account.taxRatePpm,
    balanceMinor: account.balanceMinor,
    countries: effectiveCountries(account.allowedCountries, account.chosenCountries),
  };
}
