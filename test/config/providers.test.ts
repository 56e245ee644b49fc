// Provider configuration from the environment: credentials alone enable a provider at its public base URL.
import { describe, expect, it } from 'vitest';
import { loadConfig, providerNotes } from '../../src/config.js';
import { twilioDescriptor } from '../../src/dispatch/providers/twilio/index.js';
import { systemClockUs } from '../../src/domain/time.js';

describe('provider configuration', () => {
  it('enables Twilio, Messente and Trumpia from credentials alone, at their documented base URLs', () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: 'AC0123',
      TWILIO_AUTH_TOKEN: 'secret',
      MESSENTE_USERNAME: 'user',
      MESSENTE_PASSWORD: 'pass',
      TRUMPIA_USERNAME: 'acme',
      TRUMPIA_API_KEY: 'key',
    });
    expect(config.providers.twilio).toEqual({
      baseUrl: 'https://api.twilio.com',
      accountSid: 'AC0123',
      authToken: 'secret',
    });
    expect(config.providers.messente).toEqual({
      baseUrl: 'https://api.messente.com',
      username: 'user',
      password: 'pass',
    });
    expect(config.providers.trumpia).toEqual({ baseUrl: 'https://api.trumpia.com', username: 'acme', apiKey: 'key' });
  });

  it('reads the time a Twilio message waits for a final status, and how long Infobip logs may lag', () => {
    const config = loadConfig({
      TWILIO_ACCOUNT_SID: 'AC0123',
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_REPORT_WAIT_MS: '3600000',
      INFOBIP_BASE_URL: 'x.api.infobip.com',
      INFOBIP_API_KEY: 'k',
      INFOBIP_ABSENT_TRUSTED_AFTER_MS: '120000',
    });
    expect(config.providers.twilio?.reportWaitMaxMs).toBe(3_600_000);
    const clock = { clockUs: systemClockUs };
    expect(config.providers.twilio && twilioDescriptor.create(config.providers.twilio, clock).reportWaitMaxMs).toBe(
      3_600_000,
    );
    const byDefault = loadConfig({ TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_AUTH_TOKEN: 'secret' });
    expect(
      byDefault.providers.twilio && twilioDescriptor.create(byDefault.providers.twilio, clock).reportWaitMaxMs,
    ).toBe(11 * 60 * 60 * 1000);
    expect(config.providers.infobip?.absentTrustedAfterMs).toBe(120_000);
  });

  it('keeps a *_BASE_URL that is set (a simulator, a regional host)', () => {
    const config = loadConfig({
      TWILIO_BASE_URL: 'http://127.0.0.1:9201',
      TWILIO_ACCOUNT_SID: 'AC0123',
      TWILIO_AUTH_TOKEN: 'secret',
    });
    expect(config.providers.twilio?.baseUrl).toBe('http://127.0.0.1:9201');
  });

  it('enables nothing from a base URL or half the credentials', () => {
    const config = loadConfig({ TWILIO_BASE_URL: 'http://127.0.0.1:9201', MESSENTE_USERNAME: 'user' });
    expect(config.providers).toEqual({});
  });

  it('says at start which providers are enabled, and why one with partial settings is not', () => {
    const notes = providerNotes(
      loadConfig({
        TWILIO_ACCOUNT_SID: 'AC0123',
        TWILIO_AUTH_TOKEN: 'secret',
        MESSENTE_USERNAME: 'user',
        INFOBIP_API_KEY: 'key',
        PUBLIC_URL: 'https://sms.example.com',
      }),
    );
    expect(notes.enabled).toEqual(['twilio']);
    expect(notes.warnings).toEqual([
      'infobip is not enabled: INFOBIP_BASE_URL is missing (each Infobip account has its own base URL)',
      'messente is not enabled: MESSENTE_PASSWORD is missing',
    ]);
  });

  it('warns loudly when providers that push reports are told a loopback PUBLIC_URL', () => {
    const notes = providerNotes(
      loadConfig({ TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_AUTH_TOKEN: 'secret', PORT: '3000' }),
    );
    expect(notes.publicUrlLoopback).toBe(true);
    expect(notes.warnings).toContain(
      'PUBLIC_URL is http://127.0.0.1:3000, a loopback address: twilio cannot reach it, so twilio is polled for ' +
        'reports instead; set PUBLIC_URL to an address the providers can reach',
    );
    const polled = providerNotes(loadConfig({ INFOBIP_BASE_URL: 'x.api.infobip.com', INFOBIP_API_KEY: 'k' }));
    expect(polled.warnings).toEqual([
      'PUBLIC_URL is http://127.0.0.1:3000, a loopback address: infobip cannot reach it, so infobip is polled for ' +
        'reports instead; set PUBLIC_URL to an address the providers can reach',
    ]);
    const sandboxOnly = providerNotes(loadConfig({}));
    expect(sandboxOnly.publicUrlLoopback).toBe(false);
    expect(sandboxOnly.warnings).toEqual([]);
  });
});
