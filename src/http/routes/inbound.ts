// Two-way messaging in the public API: GET /numbers (with the account's inbound_url) and GET /inbound, bearer token as the rest.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PER_PAGE_DEFAULT, PER_PAGE_MAX } from '../../domain/limits.js';
import { ruleText, ValidationErrors } from '../../domain/texts.js';
import { isoFromUs, usFromIso } from '../../domain/time.js';
import { pageField } from '../../services/form-fields.js';
import type { InboundFilters } from '../../services/inbound.js';
import type { ApiServices, AuthenticatedAccount } from '../../services/ports.js';
import { requestFields } from '../body.js';
import { unauthenticated, unprocessable } from '../errors.js';
import { setPagingHeaders } from '../paging.js';
import { schemas } from '../schemas.js';

function account(request: FastifyRequest): AuthenticatedAccount {
  if (!request.account) throw unauthenticated();
  return request.account;
}

function presentText(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? value : `${value}`;
}

/** The page and filters of GET /inbound, every error together (422). */
function inboundFilters(fields: Record<string, unknown>): InboundFilters {
  const errors = new ValidationErrors();
  const page = pageField(fields, errors, { perPageDefault: PER_PAGE_DEFAULT, perPageMax: PER_PAGE_MAX });
  const filters: { -readonly [K in keyof InboundFilters]: InboundFilters[K] } = { ...page };
  const number = presentText(fields, 'number');
  if (number !== undefined) {
    if (/^\d{3,20}$/.test(number)) filters.number = number;
    else errors.add('number', ruleText.formatInvalid('number'));
  }
  for (const name of ['from', 'to'] as const) {
    const text = presentText(fields, name);
    if (text === undefined) continue;
    const us = usFromIso(text);
    if (us === null) errors.add(name, ruleText.formatInvalid(name));
    else if (name === 'from') filters.fromUs = us;
    else filters.toUs = us;
  }
  if (!errors.empty) throw unprocessable(errors);
  return filters;
}

export async function inboundRoutes(app: FastifyInstance, services: Pick<ApiServices, 'numbers' | 'inbound'>) {
  app.get('/numbers', { schema: schemas.listNumbers, config: { auth: true } }, async (request) => {
    const accountId = account(request).id;
    const [numbers, inboundUrl] = await Promise.all([
      services.numbers.list(accountId),
      services.numbers.inboundUrl(accountId),
    ]);
    return {
      numbers: numbers.map((n) => ({ number: n.number, keyword: n.keyword, created_at: isoFromUs(n.createdAtUs) })),
      inbound_url: inboundUrl,
    };
  });

  app.get('/inbound', { schema: schemas.listInbound, config: { auth: true } }, async (request, reply) => {
    const filters = inboundFilters(requestFields(request));
    const listed = await services.inbound.list(account(request).id, filters);
    setPagingHeaders(request, reply, filters, listed.total);
    return {
      inbound: listed.rows.map((m) => ({
        id: m.id,
        from: m.from,
        to: m.to,
        text: m.text,
        received_at: isoFromUs(m.receivedAtUs),
        keyword_effect: m.keywordEffect,
      })),
    };
  });
}
