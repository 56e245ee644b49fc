// Trumpia as the platform sees it: TRUMPIA_* settings and the adapter; it only reports when asked (its adapter polls).
import { all, text } from '../../../env.js';
import { defineProvider } from '../../descriptor.js';
import { createTrumpiaProvider, TRUMPIA_PROVIDER, type TrumpiaConfig } from './adapter.js';

/**
 * The public API host when TRUMPIA_BASE_URL is unset (trumpia.com/api/docs/rest: api.trumpia.com; its pages print
 * http://, https is UNCONFIRMED but chosen so the API key never travels in clear text).
 */
const TRUMPIA_DEFAULT_BASE_URL = 'https://api.trumpia.com';

/** TRUMPIA_USERNAME and TRUMPIA_API_KEY enable it, at TRUMPIA_BASE_URL or else the public API host. */
function readTrumpiaConfig(env: NodeJS.ProcessEnv): TrumpiaConfig | undefined {
  return all({
    baseUrl: text(env, 'TRUMPIA_BASE_URL') ?? TRUMPIA_DEFAULT_BASE_URL,
    username: text(env, 'TRUMPIA_USERNAME'),
    apiKey: text(env, 'TRUMPIA_API_KEY'),
  });
}

export const trumpiaDescriptor = defineProvider({
  name: TRUMPIA_PROVIDER,
  sendingType: 'trumpia',
  settings: { read: readTrumpiaConfig, required: ['TRUMPIA_USERNAME', 'TRUMPIA_API_KEY'] },
  create: (config, { clockUs }) => createTrumpiaProvider(config, { clockUs }),
});
