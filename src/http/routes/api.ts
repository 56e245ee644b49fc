// The public API's documented endpoints: thin handlers from request fields to services and back to the contract's JSON.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PER_PAGE_DEFAULT, PER_PAGE_MAX } from '../../domain/limits.js';
import { formatBalance, toNumber } from '../../domain/money.js';
import type { Quote } from '../../domain/pricing.js';
import { quoteJsonChunks } from '../../domain/quote-json.js';
import { MESSAGE_STATUSES, type MessageStatus, messageMoney, messageStatusFrom } from '../../domain/status.js';
import { ruleText, TEXTS, ValidationErrors } from '../../domain/texts.js';
import { isoFromUs, ymdHisFromUs } from '../../domain/time.js';
import { intField, oneOfField, type PageRequest, pageField } from '../../services/form-fields.js';
import type { ApiServices, AuthenticatedAccount, MessageView, RateFilters } from '../../services/ports.js';
import { requestFields } from '../body.js';
import { accountSuspended, notFoundModel, unauthenticated, unprocessable } from '../errors.js';
import { setPagingHeaders } from '../paging.js';
import { schemas } from '../schemas.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: AuthenticatedAccount | null;
  }
  interface FastifyContextConfig {
    /** Routes that need a bearer token. */
    auth?: boolean;
  }
}

function account(request: FastifyRequest): AuthenticatedAccount {
  if (!request.account) throw unauthenticated();
  return request.account;
}

const BEARER_RE = /^Bearer\s+(\S+)\s*$/i;

/** Reads an optional text filter: absent or empty means no filter; anything but a string is an error. */
function optionalText(fields: Record<string, unknown>, name: string, errors: ValidationErrors): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') {
    errors.add(name, ruleText.string(name));
    return undefined;
  }
  return value;
}

/** The filters of GET /rates, checked with the contract's texts (422 on a bad one); the dashboard takes the same. */
export async function rateFilters(
  services: Pick<ApiServices, 'countryExists'>,
  fields: Record<string, unknown>,
): Promise<RateFilters> {
  const errors = new ValidationErrors();
  const filters: { -readonly [K in keyof RateFilters]: RateFilters[K] } = {};
  const mcc = optionalText(fields, 'mcc', errors);
  const mnc = optionalText(fields, 'mnc', errors);
  if (mcc !== undefined) {
    if (/^\d{3}$/.test(mcc)) filters.mcc = mcc;
    else errors.add('mcc', ruleText.formatInvalid('mcc'));
  } else if (mnc !== undefined && !errors.has('mcc')) {
    errors.add('mcc', ruleText.requiredWith('mcc', 'mnc'));
  }
  if (mnc !== undefined) {
    if (mnc === 'null') filters.mnc = null;
    else if (/^\d{1,3}$/.test(mnc)) filters.mnc = mnc;
    else errors.add('mnc', ruleText.formatInvalid('mnc'));
  }
  const country = optionalText(fields, 'country', errors);
  if (country !== undefined) filters.country = country;
  const countryId = intField(fields, 'country_id', errors);
  if (countryId !== undefined) {
    if (await services.countryExists(countryId)) filters.countryId = countryId;
    else errors.add('country_id', ruleText.selectedInvalid('country_id'));
  }
  if (!errors.empty) throw unprocessable(errors);
  return filters;
}

function pageOf(fields: Record<string, unknown>): PageRequest {
  const errors = new ValidationErrors();
  const page = pageField(fields, errors, { perPageDefault: PER_PAGE_DEFAULT, perPageMax: PER_PAGE_MAX });
  if (!errors.empty) throw unprocessable(errors);
  return page;
}

/** The page and the optional `status` filter of GET /sendings/{id}/messages, their errors together (422). */
function messagesQueryOf(fields: Record<string, unknown>): { page: PageRequest; status: MessageStatus | undefined } {
  const errors = new ValidationErrors();
  const page = pageField(fields, errors, { perPageDefault: PER_PAGE_DEFAULT, perPageMax: PER_PAGE_MAX });
  const status = oneOfField(fields, 'status', MESSAGE_STATUSES, errors);
  if (!errors.empty) throw unprocessable(errors);
  return { page, status };
}

function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || key === '') return undefined;
  if (key.length > 255) {
    throw unprocessable(
      new ValidationErrors().add(
        'Idempotency-Key',
        'The Idempotency-Key header must not be greater than 255 characters.',
      ),
    );
  }
  return key;
}

export interface ApiLimits {
  /** Requests a minute per account on every endpoint but calculate. */
  readonly perMinute: number;
  readonly calculatePerMinute: number;
}

export async function apiRoutes(app: FastifyInstance, services: ApiServices, limits: ApiLimits): Promise<void> {
  app.decorateRequest('account', null);

  // A request that fails authentication has no account to count against, and is refused before the per-account limit
  // runs: such failures are counted per client address (through Redis when configured), at the per-account pace.
  const failedAuthLimit = app.rateLimit({
    max: limits.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `unauthenticated:${request.ip}`,
  });
  // The bearer token is checked by a hook of each route that needs it (config.auth), added as the route is declared:
  // other routes do not run it, and no request reads its route's options to know.
  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const token = header ? BEARER_RE.exec(header)?.[1] : undefined;
    const found = token ? await services.authenticate(token) : null;
    if (found && !('suspended' in found)) {
      request.account = found;
      return;
    }
    await failedAuthLimit.call(app, request, reply);
    throw found ? accountSuspended() : unauthenticated();
  };
  app.addHook('onRoute', (route) => {
    if (!route.config?.auth) return;
    route.onRequest = [...(route.onRequest === undefined ? [] : [route.onRequest].flat()), authenticate];
  });

  // The one endpoint without a token: its OpenAPI entry lifts the document-wide bearer requirement.
  app.get('/status', { schema: schemas.status }, async (_request, reply: FastifyReply) => {
    const up = await services.databaseReachable().catch(() => false);
    return reply.code(up ? 200 : 503).send(up ? ['OK'] : ['DOWN']);
  });

  app.get('/balance', { schema: schemas.balance, config: { auth: true } }, async (request) => {
    // The balance came with the account in the one query that checked the token.
    const acct = account(request);
    return { balance: formatBalance(acct.balanceMinor), sign: acct.currency.sign, code: acct.currency.code };
  });

  app.get('/senders', { schema: schemas.senders, config: { auth: true } }, async (request) => {
    const senders = await services.listSenders(account(request).id);
    // A platform default is marked; the account's own keep the contract's two fields.
    return {
      senders: senders.map((s) =>
        s.platform ? { id: s.id, sender: s.sender, platform: true } : { id: s.id, sender: s.sender },
      ),
    };
  });

  app.get('/rates', { schema: schemas.rates, config: { auth: true } }, async (request) => {
    const acct = account(request);
    const filters = await rateFilters(services, requestFields(request));
    const rates = await services.listRates(acct.id, filters);
    return { rates: rates.map((r) => ({ mcc: r.mcc, mnc: r.mnc, country: r.country, rate: toNumber(r.rateMinor) })) };
  });

  app.post(
    '/sendings/calculate',
    {
      schema: schemas.calculate,
      config: { auth: true, rateLimit: { max: limits.calculatePerMinute, timeWindow: 60_000, groupId: 'calculate' } },
    },
    async (request, reply) => {
      const result = await services.calculate(account(request), requestFields(request));
      if (!result.ok) throw unprocessable(result.errors);
      reply.type('application/json; charset=utf-8');
      return reply.send(quoteStream(result.quote));
    },
  );

  app.get('/sendings', { schema: schemas.listSendings, config: { auth: true } }, async (request, reply) => {
    const page = pageOf(requestFields(request));
    const sendings = await services.listSendings(account(request).id, page.page, page.perPage);
    setPagingHeaders(request, reply, page, sendings.total);
    return {
      sendings: sendings.rows.map((s) => ({
        id: s.id,
        text: s.text,
        created_at: isoFromUs(s.createdAtUs),
        scheduled_at: ymdHisFromUs(s.scheduledAtUs),
        status: s.status,
        total_sms: s.totalSms,
      })),
    };
  });

  app.post('/sendings', { schema: schemas.createSending, config: { auth: true } }, async (request) => {
    const result = await services.createSending(account(request), requestFields(request), idempotencyKeyOf(request));
    if (!result.ok) throw unprocessable(result.errors);
    return { message: TEXTS.sendingCreated, sending_id: result.sendingId };
  });

  app.get<{ Params: { id: string } }>(
    '/sendings/:id(^\\d+$)',
    { schema: schemas.getSending, config: { auth: true } },
    async (request) => {
      const { id } = request.params;
      const numeric = /^\d{1,15}$/.test(id) ? Number(id) : null;
      const sending = numeric === null ? null : await services.getSending(account(request).id, numeric);
      if (!sending) throw notFoundModel(id);
      return {
        sending: {
          id: sending.id,
          status: sending.status,
          updated_at: isoFromUs(sending.updatedAtUs),
          scheduled_at: ymdHisFromUs(sending.scheduledAtUs),
          // Extensions, present only when the sending has them: without them the answer is the documented one.
          ...(sending.sendWindow !== null && { send_window: sending.sendWindow }),
          ...(sending.validityMinutes !== null && { validity_minutes: sending.validityMinutes }),
          ...(sending.expiresAtUs !== null && { expires_at: isoFromUs(sending.expiresAtUs) }),
        },
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/sendings/:id(^\\d+$)/messages',
    { schema: schemas.listMessages, config: { auth: true } },
    async (request, reply) => {
      const { id } = request.params;
      const { page, status } = messagesQueryOf(requestFields(request));
      const numeric = /^\d{1,15}$/.test(id) ? Number(id) : null;
      const filter = status === undefined ? {} : { status };
      const messages =
        numeric === null
          ? null
          : await services.listMessages(account(request).id, numeric, page.page, page.perPage, filter);
      if (!messages) throw notFoundModel(id);
      setPagingHeaders(request, reply, page, messages.total);
      return { messages: messages.rows.map(messageJson) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/sendings/:id(^\\d+$)/cancel',
    { schema: schemas.cancelSending, config: { auth: true } },
    async (request) => {
      const { id } = request.params;
      const numeric = /^\d{1,15}$/.test(id) ? Number(id) : null;
      const result = numeric === null ? null : await services.cancelSending(account(request).id, numeric);
      if (!result || (!result.ok && result.reason === 'not_found')) throw notFoundModel(id);
      if (!result.ok) {
        throw unprocessable(
          new ValidationErrors().add(
            'status',
            ruleText.notCancellable(result.reason === 'not_pending' ? result.status : ''),
          ),
        );
      }
      return {
        sending: {
          id: result.sending.id,
          status: result.sending.status,
          updated_at: isoFromUs(result.sending.updatedAtUs),
          scheduled_at: ymdHisFromUs(result.sending.scheduledAtUs),
        },
        refunded: toNumber(result.refundedMinor),
      };
    },
  );
}

/** One item of GET /sendings/{id}/messages; `charged` and `refunded` (before tax) are in the format of `cost`. */
function messageJson(m: MessageView) {
  const money = messageMoney({
    status: messageStatusFrom(m.status),
    acceptedAtUs: m.submittedAtUs,
    rateMinor: m.rateMinor,
    parts: m.parts,
    costMinor: m.costMinor,
  });
  return {
    id: m.id,
    recipient: m.recipient,
    destination: m.destination,
    mcc: m.mcc,
    mnc: m.mnc,
    sms: m.parts,
    rate: toNumber(m.rateMinor),
    cost: toNumber(m.costMinor),
    charged: toNumber(money.chargedMinor),
    refunded: toNumber(money.refundedMinor),
    status: m.status,
    provider: m.provider,
    provider_status: m.providerStatus,
    error: m.error,
    attempts: m.attempts,
    submitted_at: m.submittedAtUs === null ? null : isoFromUs(m.submittedAtUs),
    final_at: m.finalAtUs === null ? null : isoFromUs(m.finalAtUs),
    updated_at: isoFromUs(m.updatedAtUs),
  };
}

/** The quote body as a stream, so that a million-recipient answer is never one giant string. */
function quoteStream(quote: Quote): Readable {
  return Readable.from(quoteJsonChunks(quote), { objectMode: false });
}
