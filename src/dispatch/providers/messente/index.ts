// Messente as the platform sees it: MESSENTE_* settings, the adapter with DLRs at PUBLIC_URL, the signed DLR webhook.
// No inbound messages: Messente's API documents no way to receive SMS from handsets (no inbound webhook body, no
// endpoint to read them; its SDK's API reference covers sending, reports, contacts, lookups and statistics only), so
// this webhook takes delivery reports alone. See ../PROVIDERS.md.
import { all, isLoopbackUrl, text } from '../../../env.js';
import { defineProvider, type ProviderContext, type WebhookAnswer, type WebhookRequest } from '../../descriptor.js';
import type { ProviderAdapter } from '../../provider.js';
import {
  createMessenteProvider,
  MESSENTE_LOOPBACK_POLL_INTERVAL_MS,
  MESSENTE_PROVIDER,
  MESSENTE_WEBHOOK_PATH,
  type MessenteConfig,
} from './adapter.js';
import { MESSENTE_SIGNATURE_HEADER, readMessenteWebhook } from './webhook.js';

/** The public API host when MESSENTE_BASE_URL is unset: messente-api `configuration.py` (the adapter adds /v1). */
const MESSENTE_DEFAULT_BASE_URL = 'https://api.messente.com';

/** One DLR is a small JSON object; anything far larger is not one. */
const REPORT_BYTES_MAX = 64 * 1024;

/** MESSENTE_USERNAME and MESSENTE_PASSWORD enable it, at MESSENTE_BASE_URL or else the public API host. */
function readMessenteConfig(env: NodeJS.ProcessEnv): MessenteConfig | undefined {
  return all({
    baseUrl: text(env, 'MESSENTE_BASE_URL') ?? MESSENTE_DEFAULT_BASE_URL,
    username: text(env, 'MESSENTE_USERNAME'),
    password: text(env, 'MESSENTE_PASSWORD'),
  });
}

/**
 * The adapter configured by MESSENTE_BASE_URL, MESSENTE_USERNAME and MESSENTE_PASSWORD, with DLRs requested at
 * PUBLIC_URL when given (else at the account's default DLR URL, polling catching what never comes).
 */
function createConfiguredMessente(config: MessenteConfig, context: ProviderContext): ProviderAdapter {
  const { clockUs, publicUrl } = context;
  if (publicUrl === undefined || isLoopbackUrl(publicUrl)) {
    // Messente could never POST to it: no dlr_url (the account's default, if any), and the status endpoint
    // (`GET /omnimessage/{id}/status`, messente-api docs/OmnimessageApi.md) asked often.
    return createMessenteProvider(config, { clockUs, pollIntervalMs: MESSENTE_LOOPBACK_POLL_INTERVAL_MS });
  }
  return createMessenteProvider(config, { clockUs, publicUrl });
}

/** POST /webhooks/messente: the signature checked against the exact bytes Messente sent, then the DLR read. */
function answerMessenteWebhook(request: WebhookRequest, config: MessenteConfig): WebhookAnswer {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const read = readMessenteWebhook(raw, request.headers[MESSENTE_SIGNATURE_HEADER], config.password);
  if (!read.ok) {
    if (read.refusal === 'malformed') {
      return {
        ok: false,
        status: 400,
        message: 'Malformed delivery report.',
        log: { fields: { detail: read.detail }, message: 'unreadable delivery report' },
      };
    }
    return {
      ok: false,
      status: 401,
      message: 'Invalid signature.',
      log: {
        fields: { refusal: read.refusal, detail: read.detail, ip: request.ip },
        message: 'delivery report refused: invalid signature',
      },
    };
  }
  // Idempotent, and ids not stored yet are kept by the store, so a report may come before its submit's answer.
  return {
    ok: true,
    reports: read.reports,
    reply: { received: read.reports.length },
    ...(read.skipped && { note: { fields: { skipped: read.skipped }, message: 'report skipped' } }),
  };
}

export const messenteDescriptor = defineProvider({
  name: MESSENTE_PROVIDER,
  sendingType: 'messente',
  settings: { read: readMessenteConfig, required: ['MESSENTE_USERNAME', 'MESSENTE_PASSWORD'] },
  create: createConfiguredMessente,
  // Reports arrive one per status change of every message; the signature covers the exact bytes, of any content type.
  webhook: { path: MESSENTE_WEBHOOK_PATH, rawBodyMax: REPORT_BYTES_MAX, read: answerMessenteWebhook },
});
