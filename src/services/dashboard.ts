// The dashboard's use cases put together over one set of dependencies: what the dashboard's HTTP API calls.
import { createAccountControlServices } from './account-controls.js';
import { createApiServices } from './api-services.js';
import { createAuthServices } from './auth.js';
import { createCampaignServices } from './campaigns.js';
import { createComposeServices } from './compose.js';
import type { DashboardServicesDeps, UseCaseContext } from './context.js';
import { createInboundUrlServices } from './inbound-url.js';
import { createInboxServices } from './inbox.js';
import { createInvitationServices } from './invitations.js';
import { createMarginServices } from './margins.js';
import { createOperatorServices } from './operator.js';
import { createOperatorNumberServices } from './operator-numbers.js';
import { createOptOutServices } from './opt-outs.js';
import { createRouteSimulationServices } from './route-simulation.js';
import { builtInProviderOrder, createRouteServices } from './routes.js';
import { createSenderServices } from './senders.js';
import { createTokenServices } from './tokens.js';
import { createTransactionServices } from './transactions.js';
import { createWebhookSecretServices } from './webhook-secret.js';

export type { SignedIn } from './auth.js';
export type { Actor, DashboardServicesDeps } from './context.js';
export type { Outcome, Refusal } from './outcome.js';

export function createDashboardServices(deps: DashboardServicesDeps) {
  const api =
    deps.api ??
    createApiServices({
      db: deps.db,
      plan: deps.plan,
      availableTypes: deps.availableTypes,
      ...(deps.providers && { providers: deps.providers }),
      ...(deps.allowPrivateCallbacks !== undefined && { allowPrivateCallbacks: deps.allowPrivateCallbacks }),
      ...(deps.workSignal && { workSignal: deps.workSignal }),
    });
  const context: UseCaseContext = { deps, api };
  return {
    ...createAuthServices(context),
    ...createTokenServices(context),
    ...createWebhookSecretServices(context),
    ...createInboundUrlServices(context),
    ...createAccountControlServices(context),
    ...createTransactionServices(context),
    ...createSenderServices(context),
    ...createComposeServices(context),
    ...createCampaignServices(context),
    ...createOptOutServices(context),
    ...createInvitationServices(context),
    ...createInboxServices(context),
    admin: createOperatorServices(context),
    routes: createRouteServices({
      db: deps.db,
      plan: deps.plan,
      knownProviders: deps.providers?.known ?? [],
      defaultProviders: builtInProviderOrder(deps.providers ?? { known: [], configured: new Set() }),
    }),
    margins: createMarginServices(context),
    routeSimulation: createRouteSimulationServices({
      db: deps.db,
      knownProviders: deps.providers?.known ?? [],
      defaultProviders: builtInProviderOrder(deps.providers ?? { known: [], configured: new Set() }),
      ...(deps.providers && { configured: deps.providers.configured }),
    }),
    numbers: createOperatorNumberServices(context),
  };
}

export type DashboardServices = ReturnType<typeof createDashboardServices>;
