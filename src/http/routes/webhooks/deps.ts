// What a provider's delivery-report webhook needs: where reports go, the provider settings, and the public base URL.
import type { ProviderConfig } from '../../../config.js';
import type { DeliveryReport } from '../../../dispatch/provider.js';

export interface WebhookDeps {
  /** Stores reports (matched by the provider's message id; idempotent; unknown ids kept until the id is stored). */
  ingest(provider: string, reports: readonly DeliveryReport[]): Promise<void>;
  readonly providers: ProviderConfig;
  /** The base URL providers were given (PUBLIC_URL): signature schemes that sign the URL need it. */
  readonly publicUrl: string;
}
