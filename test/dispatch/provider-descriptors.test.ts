// The registry's one list of providers: what the rest of the platform derives from it must agree with the domain.
import { describe, expect, it } from 'vitest';
import {
  PROVIDER_SENDING_TYPES,
  PROVIDERS,
  providerDescriptor,
  providersMissing,
  REAL_PROVIDERS,
  readProviderConfig,
  WEBHOOK_PROVIDERS,
} from '../../src/dispatch/registry.js';
import { NAMED_SENDING_TYPES, SENDING_TYPES } from '../../src/domain/sending.js';

describe('provider descriptors', () => {
  it("name exactly the domain's sending types, in its order (a provider's type must be added to the domain too)", () => {
    expect(PROVIDER_SENDING_TYPES).toEqual([...NAMED_SENDING_TYPES]);
    expect(['default', ...PROVIDER_SENDING_TYPES]).toEqual([...SENDING_TYPES]);
    for (const type of NAMED_SENDING_TYPES) {
      expect(PROVIDERS.filter((descriptor) => descriptor.sendingType === type)).toHaveLength(1);
    }
  });

  it('have distinct names, the default route in the order listed, and distinct webhook paths', () => {
    expect(REAL_PROVIDERS).toEqual(['infobip', 'twilio', 'messente', 'trumpia', 'smpp']);
    expect(new Set(REAL_PROVIDERS).size).toBe(PROVIDERS.length);
    for (const name of REAL_PROVIDERS) expect(providerDescriptor(name)?.name).toBe(name);
    expect(providerDescriptor('sandbox')).toBeUndefined();
    expect(WEBHOOK_PROVIDERS.map((descriptor) => [descriptor.name, descriptor.webhook?.path])).toEqual([
      ['infobip', '/webhooks/infobip'],
      ['twilio', '/webhooks/twilio'],
      ['messente', '/webhooks/messente'],
    ]);
  });

  it('read nothing from an empty environment, and each provider from its own variables', () => {
    expect(readProviderConfig({})).toEqual({});
    expect(readProviderConfig({ SMPP_URL: ' smpp://a:b@127.0.0.1:2775 ' })).toEqual({
      smpp: { url: 'smpp://a:b@127.0.0.1:2775' },
    });
    expect(providersMissing((variable) => variable === 'TRUMPIA_USERNAME')).toEqual([
      { name: 'trumpia', unset: ['TRUMPIA_API_KEY'] },
    ]);
  });
});
