// Infobip as the platform sees it: INFOBIP_* settings, the adapter reporting to PUBLIC_URL, the report webhook.
import { all, isLoopbackUrl, positiveInt, text } from '../../../env.js';
import { defineProvider, type ProviderContext, type WebhookAnswer } from '../../descriptor.js';
import type { ProviderAdapter } from '../../provider.js';
import { createInfobipProvider, INFOBIP_PROVIDER, type InfobipCredentials } from './adapter.js';
import { readInfobipWebhook } from './webhook.js';
import { INFOBIP_WEBHOOK_PATH } from './wire.js';

export interface InfobipConfig extends InfobipCredentials {
  /** INFOBIP_ABSENT_TRUSTED_AFTER_MS: how long after a lost answer a message missing from the logs is resent. */
  readonly absentTrustedAfterMs?: number;
}

/**
 * INFOBIP_BASE_URL and INFOBIP_API_KEY enable it; Infobip has no default base URL: each account has its own
 * (infobip.com/docs/essentials/base-url).
 */
function readInfobipConfig(env: NodeJS.ProcessEnv): InfobipConfig | undefined {
  const credentials = all({ baseUrl: text(env, 'INFOBIP_BASE_URL'), apiKey: text(env, 'INFOBIP_API_KEY') });
  // Read (and refused when bad) whether or not Infobip is enabled.
  const absentTrustedAfterMs = text(env, 'INFOBIP_ABSENT_TRUSTED_AFTER_MS')
    ? positiveInt(env, 'INFOBIP_ABSENT_TRUSTED_AFTER_MS', 0)
    : undefined;
  return credentials && { ...credentials, ...(absentTrustedAfterMs !== undefined && { absentTrustedAfterMs }) };
}

/** The adapter configured by INFOBIP_BASE_URL and INFOBIP_API_KEY, reporting to PUBLIC_URL. */
function createConfiguredInfobip(config: InfobipConfig, context: ProviderContext): ProviderAdapter {
  const { absentTrustedAfterMs, ...credentials } = config;
  const { clockUs, publicUrl } = context;
  return createInfobipProvider(credentials, {
    clockUs,
    ...(publicUrl !== undefined && { publicUrl }),
    // Reports pushed to a loopback PUBLIC_URL would never arrive: the logs are asked instead.
    ...((publicUrl === undefined || isLoopbackUrl(publicUrl)) && { pollLogs: true }),
    ...(absentTrustedAfterMs !== undefined && { absentTrustedAfterMs }),
  });
}

/**
 * POST /webhooks/infobip: reports, and messages received on the account's Infobip numbers (their forwarding URL set to
 * the same notify URL, token included), checked against the token in the query string; JSON body.
 */
function answerInfobipWebhook(query: unknown, body: unknown, config: InfobipConfig): WebhookAnswer {
  const token = (query as Record<string, unknown> | undefined)?.token;
  const outcome = readInfobipWebhook({ token, body, apiKey: config.apiKey });
  if (!outcome.ok) {
    return outcome.refusal === 'signature'
      ? {
          ok: false,
          status: 401,
          message: 'Invalid signature.',
          log: { fields: { reason: outcome.reason }, message: 'delivery report refused' },
        }
      : {
          ok: false,
          status: 400,
          message: 'Invalid delivery report.',
          log: { fields: { reason: outcome.reason }, message: 'delivery report unreadable' },
        };
  }
  // Stored before answering: a failure answers 500 and Infobip sends the reports (or messages) again later.
  return {
    ok: true,
    reports: outcome.reports,
    ...(outcome.inbound.length > 0 && { inbound: outcome.inbound }),
    reply: { received: outcome.reports.length + outcome.notFinal + outcome.inbound.length },
  };
}

export const infobipDescriptor = defineProvider({
  name: INFOBIP_PROVIDER,
  sendingType: 'infobip',
  settings: {
    read: readInfobipConfig,
    required: ['INFOBIP_BASE_URL', 'INFOBIP_API_KEY'],
    why: (unset) => (unset.includes('INFOBIP_BASE_URL') ? ' (each Infobip account has its own base URL)' : ''),
  },
  create: createConfiguredInfobip,
  webhook: {
    path: INFOBIP_WEBHOOK_PATH,
    read: (request, config) => answerInfobipWebhook(request.query, request.body, config),
  },
});
