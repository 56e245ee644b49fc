// The dashboard's JSON API under /app/api (see contract.ts): sessions, CSRF, thin handlers over the dashboard services.
import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteHandlerMethod } from 'fastify';
import { SESSION_LIFETIME_MS } from '../../domain/limits.js';
import {
  ACCOUNT_SUSPENDED_REASON,
  describeText,
  ruleText,
  SERVER_TEXTS,
  TEXTS,
  ValidationErrors,
} from '../../domain/texts.js';
import type { Actor, DashboardServices, Outcome } from '../../services/dashboard.js';
import { marginCsv } from '../../services/margins.js';
import { invalidOne } from '../../services/outcome.js';
import { routeOutcome } from '../../services/routes.js';
import { requestFields } from '../body.js';
import { HttpError, unauthenticated, unprocessable } from '../errors.js';
import { rateFilters } from '../routes/api.js';
import { CSRF_HEADER, type OptOutsImported, type RouteTableView, SESSION_COOKIE } from './contract.js';
import { costListView, costsDiffView } from './costs-views.js';
import { conversationThreadView, conversationView, keywordAnswersView } from './inbox-views.js';
import { accountControlsView, operatorNumberView } from './numbers-views.js';
import { routeSimulationView } from './simulation-views.js';
import {
  adminAccountView,
  adminSenderView,
  campaignView,
  countriesView,
  createdTokenView,
  invitationView,
  marginReportView,
  meView,
  newInvitationView,
  optOutChangeView,
  optOutCsvLines,
  optOutView,
  pageView,
  priceListView,
  priceView,
  providerHealthView,
  ratesImportedView,
  rateView,
  recipientView,
  routeRuleView,
  senderView,
  tokenView,
  transactionCsvLines,
  transactionView,
  volumeDayView,
  webhookSecretView,
} from './views.js';

/** Who may call a route: anyone (signup, login), a signed-in user, or a platform operator. */
export type DashboardAccess = 'open' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The dashboard session the cookie names, read in onRequest; null without one. */
    dashboardActor: Actor | null;
  }
  interface FastifyContextConfig {
    dashboard?: DashboardAccess;
    /** Served to a suspended account too (who it is, and logging out). */
    whileSuspended?: boolean;
  }
}

export interface DashboardApiOptions {
  readonly services: DashboardServices;
  /** Requests a minute per signed-in user (per address before signing in), counted apart from the public API. */
  readonly rateLimitPerMinute: number;
}

const COOKIE_PATH = '/app';
const csrfMismatch = () => new HttpError(403, { message: TEXTS.csrfMismatch });

/** For answers with no body: a use case's `null`. */
const nothing = (value: null): null => value;

function actorOf(request: FastifyRequest): Actor {
  if (!request.dashboardActor) throw unauthenticated();
  return request.dashboardActor;
}

function idOf(request: FastifyRequest): number {
  const id = (request.params as { id?: string }).id ?? '';
  if (!/^\d{1,15}$/.test(id)) throw new HttpError(404, { message: TEXTS.notFound });
  return Number(id);
}

/** An invitation's token from the body: a string of the link's alphabet, else none (which no invitation matches). */
function tokenField(request: FastifyRequest): string {
  const token = requestFields(request).token;
  return typeof token === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(token) ? token : '';
}

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Signup and login carry no token yet: a JSON body (no form can send one cross-site) from this origin, if told. */
function fitForSignIn(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  // Host against host: behind a TLS proxy not named in TRUST_PROXY the request looks like http while Origin is https.
  try {
    const from = new URL(origin);
    return from.host === new URL(`${from.protocol}//${request.host}`).host;
  } catch {
    return false;
  }
}

/** Texts that may span lines (a message, a note, a CSV body, numbers pasted one a line): tab, line feed and carriage
 * return are theirs; no other control character is anyone's. */
const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['message', 'note', 'csv', 'numbers']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_RE = /[\u0000-\u001f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_BUT_LINES_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/**
 * Adds an error for every string of `value` (a field, or lists and objects under it) that holds a control character:
 * no field of the dashboard means one, and PostgreSQL refuses NUL in text outright. Errors are keyed as the public API
 * keys them (`recipients.3`).
 */
function controlCharacterErrors(field: string, value: unknown, errors: ValidationErrors): void {
  const pattern = MULTI_LINE_FIELDS.has(field) ? CONTROL_BUT_LINES_RE : CONTROL_RE;
  // The body parser bounds the nesting; the walk keeps a stack of its own all the same.
  const stack: [string, unknown][] = [[field, value]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [path, item] = next;
    if (typeof item === 'string') {
      if (pattern.test(item)) errors.add(path, ruleText.controlCharacters(path));
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([`${path}.${i}`, item[i]]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item).reverse()) stack.push([`${path}.${key}`, child]);
    }
  }
}

/** Sends a value as `view` shows it (nothing for null), or the refusal as the contract shapes it. */
function answer<T, V>(reply: FastifyReply, outcome: Outcome<T>, view: (value: T) => V, status = 200): FastifyReply {
  if (outcome.ok) return outcome.value === null ? reply.code(204).send() : reply.code(status).send(view(outcome.value));
  switch (outcome.kind) {
    case 'invalid':
      return reply.code(422).send(outcome.errors.toJSON());
    case 'not_found':
      return reply.code(404).send({ message: TEXTS.notFound });
    case 'conflict':
      return reply.code(409).send({ message: outcome.message });
    case 'throttled':
      return reply
        .code(429)
        .header('retry-after', String(outcome.retryAfterSeconds))
        .send({ message: outcome.message });
  }
}

export async function dashboardApi(app: FastifyInstance, options: DashboardApiOptions): Promise<void> {
  const { services } = options;
  await app.register(cookie);
  app.decorateRequest('dashboardActor', null);
  // A price list arrives as CSV; every other body goes through the public API's parsers.
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  registerGuards(app, options);
  const route = routeOn(app);
  registerSessionRoutes(route, services);
  registerTokenRoutes(route, services);
  registerWebhookSecretRoutes(route, services);
  registerInboundUrlRoutes(route, services);
  registerCountryRoutes(route, services);
  registerOperatorNumberRoutes(route, services);
  registerBalanceRoutes(route, services);
  registerSenderRoutes(route, services);
  registerCampaignRoutes(route, services);
  registerOptOutRoutes(route, services);
  registerInboxRoutes(route, services);
  registerOperatorRoutes(route, services.admin);
  registerRouteTableRoutes(route, services.routes);
  registerMarginRoutes(route, services.margins);
  registerRouteSimulationRoutes(route, services.routeSimulation);
}

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string): FastifyReply {
  return reply.setCookie(SESSION_COOKIE, value, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    maxAge: Math.floor(SESSION_LIFETIME_MS / 1000),
  });
}

function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.clearCookie(SESSION_COOKIE, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
  });
}

/**
 * What stands before every dashboard handler: the session the cookie names, the dashboard's rate limit, the route's
 * access (signed in, CSRF token, not suspended, operator), and no control characters in what the request carries.
 */
function registerGuards(app: FastifyInstance, options: DashboardApiOptions): void {
  const { services } = options;
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.dashboard === undefined) return;
    const sessionId = request.cookies[SESSION_COOKIE];
    request.dashboardActor = sessionId ? await services.session(sessionId) : null;
  });

  // One allowance a minute for all of a user's dashboard requests (per address before signing in), counted apart from
  // the public API's per-account limit, refused requests included.
  const limit = app.rateLimit({
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) =>
      request.dashboardActor ? `dashboard-user:${request.dashboardActor.user.id}` : `dashboard-ip:${request.ip}`,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.dashboard !== undefined) await limit.call(app, request, reply);
  });

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.dashboard;
    if (access === undefined) return;
    const sessionId = request.cookies[SESSION_COOKIE];
    const actor = request.dashboardActor;
    const unsafe = request.method !== 'GET' && request.method !== 'HEAD';
    if (access === 'open') {
      if (unsafe && !fitForSignIn(request)) throw csrfMismatch();
      return;
    }
    if (!actor) {
      // A cookie of a session that has ended is of no more use to the browser.
      if (sessionId) clearSessionCookie(request, reply);
      throw unauthenticated();
    }
    if (unsafe && !sameToken(request.headers[CSRF_HEADER], actor.csrfToken)) throw csrfMismatch();
    if (actor.account.suspendedAtUs !== null && !request.routeOptions.config.whileSuspended) {
      throw new HttpError(403, { message: TEXTS.accountSuspended, reason: ACCOUNT_SUSPENDED_REASON });
    }
    if (access === 'admin' && actor.user.role !== 'admin') throw new HttpError(403, { message: TEXTS.forbidden });
  });

  // Every text a dashboard route reads (body, query string, a CSV body) is checked here, once, before any handler.
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.dashboard === undefined) return;
    const errors = new ValidationErrors();
    for (const [field, value] of Object.entries(requestFields(request))) controlCharacterErrors(field, value, errors);
    if (typeof request.body === 'string') controlCharacterErrors('csv', request.body, errors);
    if (!errors.empty) throw unprocessable(errors);
  });
}

/**
 * An error body with the code and parameters of each of its texts beside the words (contract.ts, ErrorBody), so that
 * the dashboard can say them in the user's language; the words stay as they are.
 */
export function withTextCodes(payload: unknown): unknown {
  if (payload === null || typeof payload !== 'object' || !('message' in payload)) return payload;
  const body = payload as { message: unknown; errors?: unknown };
  const described = typeof body.message === 'string' ? describeText(body.message) : null;
  const withMessage = described ? { ...body, code: described.code, params: described.params } : { ...body };
  if (body.errors === null || typeof body.errors !== 'object') return withMessage;
  const codes = Object.fromEntries(
    Object.entries(body.errors as Record<string, unknown>).map(([field, texts]) => [
      field,
      Array.isArray(texts) ? texts.map((text) => (typeof text === 'string' ? describeText(text) : null)) : [],
    ]),
  );
  return { ...withMessage, codes };
}

/** Adds one dashboard route: who may call it, and its handler. */
type Route = (
  method: HTTPMethods,
  url: string,
  access: DashboardAccess,
  handler: RouteHandlerMethod,
  extra?: { readonly whileSuspended?: boolean },
) => void;

function routeOn(app: FastifyInstance): Route {
  return (method, url, access, handler, extra = {}) => {
    app.route({
      method,
      url,
      // The public API's OpenAPI document describes the public API only.
      schema: { hide: true },
      // The dashboard's own limit (above) replaces the public API's.
      config: { dashboard: access, rateLimit: false, ...extra },
      handler,
    });
  };
}

const ID = ':id(^\\d+$)';

/** Accounts and sessions. */
function registerSessionRoutes(route: Route, services: DashboardServices): void {
  route('POST', '/signup', 'open', async (request, reply) => {
    const outcome = await services.signup(requestFields(request));
    if (outcome.ok) setSessionCookie(request, reply, outcome.value.session.sessionId);
    return answer(reply, outcome, (signedIn) => meView(signedIn.actor), 201);
  });

  route('POST', '/login', 'open', async (request, reply) => {
    const outcome = await services.login(requestFields(request), request.ip, request.dashboardActor);
    if (outcome.ok) setSessionCookie(request, reply, outcome.value.session.sessionId);
    return answer(reply, outcome, (signedIn) => meView(signedIn.actor));
  });

  route(
    'POST',
    '/logout',
    'user',
    async (request, reply) => {
      await services.logout(actorOf(request));
      clearSessionCookie(request, reply);
      return reply.code(204).send();
    },
    { whileSuspended: true },
  );

  route('GET', '/me', 'user', async (request) => meView(actorOf(request)), { whileSuspended: true });

  // The token travels in bodies only (never in a URL, which logs and Referer headers would keep).
  route('POST', '/invitations/open', 'open', async (request, reply) =>
    answer(reply, await services.invitation(tokenField(request)), invitationView),
  );
  route('POST', '/invitations/accept', 'open', async (request, reply) => {
    const outcome = await services.acceptInvitation(tokenField(request), requestFields(request));
    if (outcome.ok) setSessionCookie(request, reply, outcome.value.session.sessionId);
    return answer(reply, outcome, (signedIn) => meView(signedIn.actor), 201);
  });

  route('POST', '/password', 'user', async (request, reply) =>
    answer(reply, await services.changePassword(actorOf(request), requestFields(request), request.ip), nothing),
  );
}

/** API tokens. */
function registerTokenRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/tokens', 'user', async (request) => ({
    data: (await services.tokens(actorOf(request))).map(tokenView),
  }));
  route('POST', '/tokens', 'user', async (request, reply) =>
    answer(reply, await services.createToken(actorOf(request), requestFields(request)), createdTokenView, 201),
  );
  route('POST', `/tokens/${ID}/revoke`, 'user', async (request, reply) =>
    answer(reply, await services.revokeToken(actorOf(request), idOf(request)), tokenView),
  );
}

/** The webhook secret: the signed-in account's own, read and rotated. */
function registerWebhookSecretRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/webhook-secret', 'user', async (request, reply) =>
    answer(
      reply.header('cache-control', 'no-store'),
      await services.webhookSecret(actorOf(request)),
      webhookSecretView,
    ),
  );
  route('POST', '/webhook-secret/rotate', 'user', async (request, reply) =>
    answer(
      reply.header('cache-control', 'no-store'),
      await services.rotateWebhookSecret(actorOf(request)),
      webhookSecretView,
    ),
  );
}

/** The signed-in account's inbound_url: read and changed. */
function registerInboundUrlRoutes(route: Route, services: DashboardServices): void {
  const view = (found: { url: string | null }) => ({ inbound_url: found.url });
  route('GET', '/inbound-url', 'user', async (request, reply) =>
    answer(reply, await services.inboundUrl(actorOf(request)), view),
  );
  route('POST', '/inbound-url', 'user', async (request, reply) =>
    answer(reply, await services.changeInboundUrl(actorOf(request), requestFields(request)), view),
  );
}

/** The countries the signed-in account sends to: the operator's list and its own choice within it. */
function registerCountryRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/countries', 'user', async (request, reply) =>
    answer(reply, await services.countries(actorOf(request)), countriesView),
  );
  route('POST', '/countries', 'user', async (request, reply) =>
    answer(reply, await services.chooseCountries(actorOf(request), requestFields(request)), countriesView),
  );
  route('GET', '/spend-limits', 'user', async (request, reply) =>
    answer(reply, await services.spendLimits(actorOf(request)), (limits) => limits),
  );
  route('POST', '/spend-limits', 'user', async (request, reply) =>
    answer(reply, await services.changeSpendLimits(actorOf(request), requestFields(request)), (limits) => limits),
  );
  route('POST', `/admin/accounts/${ID}/spend-limits`, 'admin', async (request, reply) =>
    answer(reply, await services.setAccountSpendLimits(idOf(request), requestFields(request)), (limits) => limits),
  );
  route('POST', `/admin/accounts/${ID}/countries`, 'admin', async (request, reply) =>
    answer(reply, await services.allowCountries(idOf(request), requestFields(request)), countriesView),
  );
}

/** The operator's numbers (as `smsgic numbers`) and an account's controls as the operator sees them. */
function registerOperatorNumberRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/admin/numbers', 'admin', async (request, reply) =>
    answer(reply, await services.numbers.list(requestFields(request)), (list) => ({
      data: list.map(operatorNumberView),
    })),
  );
  route('POST', '/admin/numbers', 'admin', async (request, reply) => {
    const outcome = await services.numbers.assign(requestFields(request));
    return answer(
      reply,
      outcome,
      (assigned) => operatorNumberView(assigned.number),
      outcome.ok && outcome.value.created ? 201 : 200,
    );
  });
  route('POST', '/admin/numbers/unassign', 'admin', async (request, reply) =>
    answer(reply, await services.numbers.unassign(requestFields(request)), operatorNumberView),
  );
  route('GET', `/admin/accounts/${ID}/controls`, 'admin', async (request, reply) =>
    answer(reply, await services.accountControls(idOf(request)), accountControlsView),
  );
}

/** Balance and transactions. */
function registerBalanceRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/transactions', 'user', async (request, reply) =>
    answer(reply, await services.transactions(actorOf(request), requestFields(request)), (found) =>
      pageView(found, transactionView),
    ),
  );
  route('GET', '/transactions.csv', 'user', async (request, reply) => {
    const outcome = services.allTransactions(actorOf(request), requestFields(request));
    if (!outcome.ok) return answer(reply, outcome, nothing);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="transactions.csv"')
      .header('cache-control', 'no-store')
      .send(Readable.from(transactionCsvLines(outcome.value)));
  });
}

/** Senders and rates. */
function registerSenderRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/senders', 'user', async (request) => ({
    data: (await services.senders(actorOf(request))).map(senderView),
  }));
  route('POST', '/senders', 'user', async (request, reply) =>
    answer(reply, await services.requestSender(actorOf(request), requestFields(request)), senderView, 201),
  );
  route('GET', '/rates', 'user', async (request) => {
    const filters = await rateFilters(services, requestFields(request));
    return { data: (await services.rates(actorOf(request), filters)).map(rateView) };
  });
}

/** Compose and campaigns. */
function registerCampaignRoutes(route: Route, services: DashboardServices): void {
  route('POST', '/price', 'user', async (request, reply) =>
    answer(reply, await services.price(actorOf(request), requestFields(request)), priceView),
  );
  route('POST', '/sendings', 'user', async (request, reply) =>
    answer(reply, await services.compose(actorOf(request), requestFields(request)), campaignView, 201),
  );
  route('GET', '/sendings', 'user', async (request, reply) =>
    answer(reply, await services.campaigns(actorOf(request), requestFields(request)), (found) =>
      pageView(found, campaignView),
    ),
  );
  route('GET', `/sendings/${ID}`, 'user', async (request, reply) =>
    answer(reply, await services.campaign(actorOf(request), idOf(request)), campaignView),
  );
  route('PUT', `/sendings/${ID}`, 'user', async (request, reply) =>
    answer(reply, await services.updateDraft(actorOf(request), idOf(request), requestFields(request)), campaignView),
  );
  route('DELETE', `/sendings/${ID}`, 'user', async (request, reply) =>
    answer(reply, await services.deleteDraft(actorOf(request), idOf(request)), nothing),
  );
  route('POST', `/sendings/${ID}/cancel`, 'user', async (request, reply) =>
    answer(reply, await services.cancel(actorOf(request), idOf(request)), campaignView),
  );
  route('POST', `/sendings/${ID}/send`, 'user', async (request, reply) =>
    answer(reply, await services.sendDraft(actorOf(request), idOf(request)), campaignView),
  );
  route('GET', `/sendings/${ID}/messages`, 'user', async (request, reply) =>
    answer(reply, await services.recipients(actorOf(request), idOf(request), requestFields(request)), (found) =>
      pageView(found, recipientView),
    ),
  );
}

/** A CSV body: the text itself (text/csv), or a JSON body's `csv` field. */
function csvBody(request: FastifyRequest): string {
  const body = request.body;
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { csv?: unknown }).csv === 'string') {
    return (body as { csv: string }).csv;
  }
  return '';
}

function phoneParam(request: FastifyRequest): string {
  return (request.params as { phone?: string }).phone ?? '';
}

/** The account's opt-out list. */
function registerOptOutRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/opt-outs', 'user', async (request, reply) =>
    answer(reply, await services.optOuts(actorOf(request), requestFields(request)), (found) =>
      pageView(found, optOutView),
    ),
  );
  route('POST', '/opt-outs', 'user', async (request, reply) =>
    answer(reply, await services.addOptOuts(actorOf(request), requestFields(request)), (added) => added),
  );
  route('POST', '/opt-outs/import', 'user', async (request, reply) =>
    answer(
      reply,
      await services.importOptOuts(actorOf(request), csvBody(request)),
      (imported): OptOutsImported => imported,
    ),
  );
  route('GET', '/opt-outs.csv', 'user', async (request, reply) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="opt-outs.csv"')
      .header('cache-control', 'no-store')
      .send(Readable.from(optOutCsvLines(services.allOptOuts(actorOf(request))))),
  );
  route('DELETE', '/opt-outs/:phone', 'user', async (request, reply) =>
    answer(reply, await services.removeOptOut(actorOf(request), phoneParam(request), requestFields(request)), nothing),
  );
  route('GET', '/opt-outs/:phone/history', 'user', async (request, reply) =>
    answer(reply, await services.optOutHistory(actorOf(request), phoneParam(request)), (changes) => ({
      data: changes.map(optOutChangeView),
    })),
  );
}

/** The operator's providers' cost lists: the query string names the provider (and currency), the body is the CSV. */
function registerCostRoutes(route: Route, admin: DashboardServices['admin']): void {
  route('GET', '/admin/costs', 'admin', async () => ({ data: (await admin.costLists()).map(costListView) }));
  route('POST', '/admin/costs/preview', 'admin', async (request, reply) =>
    answer(reply, await admin.previewCosts(request.query as Record<string, unknown>, csvBody(request)), costsDiffView),
  );
  route('POST', '/admin/costs/import', 'admin', async (request, reply) =>
    answer(reply, await admin.importCosts(request.query as Record<string, unknown>, csvBody(request)), costsDiffView),
  );
  route('GET', '/admin/costs.csv', 'admin', async (request, reply) => {
    const outcome = await admin.exportCosts(requestFields(request));
    if (!outcome.ok) return answer(reply, outcome, nothing);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="costs-${outcome.value.provider}.csv"`)
      .send(outcome.value.csv);
  });
}

/** The operator's margin report, as JSON and as CSV. */
function registerMarginRoutes(route: Route, margins: DashboardServices['margins']): void {
  route('GET', '/admin/margin', 'admin', async (request, reply) =>
    answer(reply, await margins.report(requestFields(request)), marginReportView),
  );
  route('GET', '/admin/margin.csv', 'admin', async (request, reply) => {
    const outcome = await margins.report(requestFields(request));
    if (!outcome.ok) return answer(reply, outcome, nothing);
    const { from, to, by } = outcome.value;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="margin-${by}-${from}-${to}.csv"`)
      .header('cache-control', 'no-store')
      .send(marginCsv(outcome.value));
  });
}

/** The inbox: conversations, one number's messages, replies; and the account's keyword answers. */
function registerInboxRoutes(route: Route, services: DashboardServices): void {
  route('GET', '/conversations', 'user', async (request, reply) =>
    answer(reply, await services.conversations(actorOf(request), requestFields(request)), (found) =>
      pageView(found, conversationView),
    ),
  );
  route('GET', '/conversations/:phone', 'user', async (request, reply) =>
    answer(
      reply,
      await services.conversation(actorOf(request), phoneParam(request), requestFields(request)),
      conversationThreadView,
    ),
  );
  route('POST', '/conversations/:phone/price', 'user', async (request, reply) =>
    answer(reply, await services.replyPrice(actorOf(request), phoneParam(request), requestFields(request)), priceView),
  );
  route('POST', '/conversations/:phone/reply', 'user', async (request, reply) =>
    answer(
      reply,
      await services.reply(actorOf(request), phoneParam(request), requestFields(request)),
      campaignView,
      201,
    ),
  );
  route('GET', '/keywords', 'user', async (request, reply) =>
    answer(reply, await services.keywordAnswers(actorOf(request)), keywordAnswersView),
  );
  route('POST', '/keywords', 'user', async (request, reply) =>
    answer(reply, await services.changeKeywordAnswers(actorOf(request), requestFields(request)), keywordAnswersView),
  );
}

/** The platform operator's. */
function registerOperatorRoutes(route: Route, admin: DashboardServices['admin']): void {
  route('GET', '/admin/accounts', 'admin', async (request, reply) =>
    answer(reply, await admin.accounts(requestFields(request)), (found) => pageView(found, adminAccountView)),
  );
  route('POST', '/admin/accounts', 'admin', async (request, reply) =>
    answer(reply, await admin.createAccount(requestFields(request)), adminAccountView, 201),
  );
  route('POST', `/admin/accounts/${ID}/invitations`, 'admin', async (request, reply) =>
    answer(
      reply,
      await admin.invite(idOf(request), requestFields(request), actorOf(request).user.email),
      newInvitationView,
      201,
    ),
  );
  route('POST', `/admin/accounts/${ID}/tax-rate`, 'admin', async (request, reply) =>
    answer(reply, await admin.setTaxRate(idOf(request), requestFields(request)), adminAccountView),
  );
  route('POST', `/admin/accounts/${ID}/credit`, 'admin', async (request, reply) =>
    answer(reply, await admin.credit(idOf(request), requestFields(request)), adminAccountView),
  );
  route('POST', `/admin/accounts/${ID}/suspend`, 'admin', async (request, reply) =>
    answer(reply, await admin.suspend(idOf(request), requestFields(request)), adminAccountView),
  );
  route('GET', '/admin/senders', 'admin', async (request, reply) =>
    answer(reply, await admin.senders(requestFields(request)), (found) => pageView(found, adminSenderView)),
  );
  route('POST', `/admin/senders/${ID}/approve`, 'admin', async (request, reply) =>
    answer(reply, await admin.reviewSender(idOf(request), 'approved'), adminSenderView),
  );
  route('POST', `/admin/senders/${ID}/reject`, 'admin', async (request, reply) =>
    answer(reply, await admin.reviewSender(idOf(request), 'rejected'), adminSenderView),
  );
  route('GET', '/admin/rates', 'admin', async (request, reply) => {
    return answer(reply, await admin.rates(requestFields(request)), (rates) => ({ data: rates.map(rateView) }));
  });
  route('GET', '/admin/price-lists', 'admin', async (request, reply) => {
    return answer(reply, await admin.priceLists(requestFields(request)), (lists) => ({
      data: lists.map(priceListView),
    }));
  });
  route('GET', '/admin/rates.csv', 'admin', async (request, reply) => {
    const outcome = await admin.exportRates(requestFields(request));
    if (!outcome.ok) return answer(reply, outcome, nothing);
    const { accountId, currency, csv } = outcome.value;
    const name = accountId === null ? `rates-default-${currency}.csv` : `rates-account-${accountId}.csv`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(csv);
  });
  route('POST', '/admin/rates/import', 'admin', async (request, reply) => {
    // The query string names the list; the body is the CSV itself.
    const query = request.query as Record<string, unknown>;
    return answer(reply, await admin.importRates(query, csvBody(request)), ratesImportedView);
  });
  route('GET', '/admin/providers', 'admin', async () => ({ data: (await admin.providers()).map(providerHealthView) }));
  registerCostRoutes(route, admin);
  route('GET', '/admin/volume', 'admin', async (request, reply) => {
    return answer(reply, await admin.volume(requestFields(request)), (days) => ({ data: days.map(volumeDayView) }));
  });
}

/** The operator's route table. */
function registerRouteTableRoutes(route: Route, routes: DashboardServices['routes']): void {
  route(
    'GET',
    '/admin/routes',
    'admin',
    async (): Promise<RouteTableView> => ({
      data: (await routes.list()).map(routeRuleView),
      providers: routes.knownProviders,
    }),
  );
  route('POST', '/admin/routes', 'admin', async (request, reply) => {
    const fields = requestFields(request);
    const position = positionOf(fields.position);
    return answer(reply, routeOutcome(await routes.add(fields, position ?? undefined)), routeRuleView, 201);
  });
  route('POST', `/admin/routes/${ID}`, 'admin', async (request, reply) =>
    answer(reply, routeOutcome(await routes.update(idOf(request), requestFields(request))), routeRuleView),
  );
  route('POST', `/admin/routes/${ID}/move`, 'admin', async (request, reply) => {
    const position = positionOf(requestFields(request).position);
    if (position === null) return answer(reply, invalidOne('position', SERVER_TEXTS.positionWholeNumber), nothing);
    return answer(reply, routeOutcome(await routes.move(idOf(request), position)), routeRuleView);
  });
  route('DELETE', `/admin/routes/${ID}`, 'admin', async (request, reply) =>
    answer(reply, routeOutcome(await routes.remove(idOf(request))), () => null, 204),
  );
}

function positionOf(value: unknown): number | null {
  const text = value === undefined || value === null ? '' : String(value).trim();
  return /^\d{1,9}$/.test(text) && Number(text) >= 1 ? Number(text) : null;
}

/** The operator's "what if" over the route table: nothing is written. */
function registerRouteSimulationRoutes(route: Route, simulation: DashboardServices['routeSimulation']): void {
  route('POST', '/admin/routes/simulate', 'admin', async (request, reply) =>
    answer(reply, await simulation.simulate(requestFields(request)), routeSimulationView),
  );
}
