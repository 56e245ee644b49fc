// SMPP as the platform sees it: SMPP_URL, and the adapter whose binds push receipts as they arrive.
import { text } from '../../../env.js';
import { defineProvider, type ProviderContext } from '../../descriptor.js';
import { createSmppProvider, SMPP_PROVIDER, type SmppProvider } from './adapter.js';

/** SMPP_URL (`smpp://system_id:password@host:port`, settings in its query string: see parseSmppConfig). */
export interface SmppSettings {
  readonly url: string;
}

/**
 * The adapter configured by SMPP_URL. Without `onReport`, receipts reach the store only through `poll`, which finds a
 * report only in the process whose bind received it; with it (the store's report sink), every receipt is recorded as
 * it arrives, whichever worker process holds the bind.
 */
function createConfiguredSmpp(settings: SmppSettings, context: ProviderContext): SmppProvider {
  const { clockUs, onReport, onInbound, onAccountRefusal } = context;
  return createSmppProvider({
    url: settings.url,
    clockUs,
    ...(onReport && { onReport }),
    ...(onInbound && { onInbound }),
    ...(onAccountRefusal && { client: { onBindRefusal: onAccountRefusal } }),
  });
}

export const smppDescriptor = defineProvider({
  name: SMPP_PROVIDER,
  settings: {
    read: (env) => {
      const url = text(env, 'SMPP_URL');
      return url === undefined ? undefined : { url };
    },
  },
  create: createConfiguredSmpp,
});
