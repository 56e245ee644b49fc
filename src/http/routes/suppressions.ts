// The opt-out list of the public API: GET/POST /suppressions, GET/DELETE /suppressions/{phone}, bearer token as the rest.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PER_PAGE_DEFAULT, PER_PAGE_MAX } from '../../domain/limits.js';
import { ruleText, ValidationErrors } from '../../domain/texts.js';
import { isoFromUs } from '../../domain/time.js';
import { pageField } from '../../services/form-fields.js';
import type { ApiServices, AuthenticatedAccount } from '../../services/ports.js';
import { phoneOf, readPhoneList, readSuppressionSender, type Suppression } from '../../services/suppressions.js';
import { requestFields } from '../body.js';
import { notFoundModel, unauthenticated, unprocessable } from '../errors.js';
import { schemas } from '../schemas.js';

function account(request: FastifyRequest): AuthenticatedAccount {
  if (!request.account) throw unauthenticated();
  return request.account;
}

function suppressionJson(s: Suppression) {
  const entry = { phone_number: s.phone, source: s.source, created_at: isoFromUs(s.createdAtUs) };
  // An account-wide entry reads as every entry did before entries could name a sender.
  return s.sender === '' ? entry : { ...entry, sender: s.sender };
}

/**
 * The optional `sender` of the query or body: the entry of that sender; absent (undefined) when not given, a
 * malformed one refused with the contract's 422.
 */
function givenSender(fields: Readonly<Record<string, unknown>>): string | undefined {
  const errors = new ValidationErrors();
  const value = fields.sender;
  if (value === undefined || value === null || value === '') return undefined;
  const sender = readSuppressionSender(fields, errors);
  if (!errors.empty) throw unprocessable(errors);
  return sender;
}

/** The path's number, or the contract's 404 naming it (a malformed one is refused before, by the path's schema). */
function pathPhone(request: FastifyRequest<{ Params: { phone: string } }>): string {
  const phone = phoneOf(request.params.phone);
  if (phone === null) throw notFoundModel(request.params.phone);
  return phone;
}

export async function suppressionRoutes(app: FastifyInstance, services: Pick<ApiServices, 'suppressions'>) {
  const { suppressions } = services;

  app.get('/suppressions', { schema: schemas.listSuppressions, config: { auth: true } }, async (request) => {
    const fields = requestFields(request);
    const errors = new ValidationErrors();
    const page = pageField(fields, errors, { perPageDefault: PER_PAGE_DEFAULT, perPageMax: PER_PAGE_MAX });
    const search = fields.search;
    let prefix: string | undefined;
    if (search !== undefined && search !== null && search !== '') {
      const text = typeof search === 'number' ? String(search) : search;
      if (typeof text === 'string' && /^\d{1,20}$/.test(text)) prefix = text;
      else errors.add('search', ruleText.formatInvalid('search'));
    }
    if (!errors.empty) throw unprocessable(errors);
    const list = await suppressions.list(account(request).id, { ...page, ...(prefix !== undefined && { prefix }) });
    return { suppressions: list.map(suppressionJson) };
  });

  app.post('/suppressions', { schema: schemas.addSuppressions, config: { auth: true } }, async (request) => {
    const fields = requestFields(request);
    const read = readPhoneList(fields);
    const errors = read.ok ? new ValidationErrors() : read.errors;
    const sender = readSuppressionSender(fields, errors);
    if (!read.ok || !errors.empty) throw unprocessable(errors);
    const added = await suppressions.add(account(request).id, read.phones, 'api', null, sender);
    return { added: added.length };
  });

  app.get<{ Params: { phone: string } }>(
    '/suppressions/:phone',
    { schema: schemas.getSuppression, config: { auth: true } },
    async (request) => {
      const phone = pathPhone(request);
      const sender = givenSender(requestFields(request));
      const found = await suppressions.find(account(request).id, phone, sender);
      if (!found) throw notFoundModel(phone);
      return { suppression: suppressionJson(found) };
    },
  );

  app.delete<{ Params: { phone: string } }>(
    '/suppressions/:phone',
    { schema: schemas.deleteSuppression, config: { auth: true } },
    async (request) => {
      const phone = pathPhone(request);
      const sender = givenSender(requestFields(request));
      if (!(await suppressions.remove(account(request).id, phone, 'api', null, sender))) throw notFoundModel(phone);
      return { phone_number: phone, removed: true };
    },
  );
}
