// The public API's services over the store and the pricing core: what HTTP (and the dashboard) call.
import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { currencyOf } from '../domain/money.js';
import { recipientList } from '../domain/pricing.js';
import { ruleText, TEXTS, ValidationErrors } from '../domain/texts.js';
import { countryExists } from '../store/countries.js';
import { databaseReachable } from '../store/health.js';
import { listInbound } from '../store/inbound.js';
import { countMessages, listMessages } from '../store/messages.js';
import { listRates } from '../store/rates.js';
import { listUsableSenders } from '../store/senders.js';
import { createSendingGrouped } from '../store/sending-groups.js';
import { countSendings, findByIdempotencyKey, getSending, listSendings, type Sending } from '../store/sendings.js';
import { authenticateAccount } from '../store/tokens.js';
import type { WorkSignal } from '../store/work-signal.js';
import { createNumberServices } from './numbers.js';
import type { ApiServices, SendingSummary } from './ports.js';
import { cancelPendingSending } from './sending-cancel.js';
import { readDeliveryOptions } from './sending-fields.js';
import {
  messageRows,
  quoteFor,
  type SendingValidationDeps,
  sendWindowHold,
  suppressedRows,
  validateNewSending,
} from './sending-validation.js';
import { spendLimitErrors } from './spend-limit-errors.js';
import { createSuppressionServices } from './suppressions.js';

export interface ApiServicesDeps extends SendingValidationDeps {
  /** Told after a sending is stored, so that idle dispatch workers lease it at once. */
  readonly workSignal?: Pick<WorkSignal, 'notify'>;
}

function summary(sending: Sending): SendingSummary {
  return {
    id: sending.id,
    text: sending.text,
    createdAtUs: sending.createdAtUs,
    updatedAtUs: sending.updatedAtUs,
    scheduledAtUs: sending.scheduledAtUs,
    status: sending.status,
    totalSms: sending.smsCount,
    sendWindow: sending.sendWindow,
    validityMinutes: sending.validityMinutes,
    expiresAtUs: sending.expiresAtUs,
  };
}

/** Recipients written into the request hash between two turns of the event loop. */
const HASHED_RECIPIENTS_PER_TURN = 16_384;

/**
 * What identifies a request under an Idempotency-Key: the SHA-256 of the fields that shape the sending, normalised,
 * as the JSON text `[message, recipients, sender, scheduled_at, type, callback_url]`, then `send_window` and
 * `validity_minutes` when either is given. A list of recipients is
 * written into the hash a slice at a time with a turn of the event loop between slices (a million numbers are some
 * 15 MB of text); the bytes hashed are exactly those of that one JSON text, so stored hashes keep matching.
 */
async function requestSha256(fields: Readonly<Record<string, unknown>>): Promise<string> {
  const hash = createHash('sha256');
  try {
    const recipients = recipientList(fields.recipients) ?? fields.recipients ?? null;
    hash.update(`[${JSON.stringify(fields.message ?? null) ?? 'null'},`);
    if (Array.isArray(recipients)) {
      hash.update('[');
      for (let start = 0; start < recipients.length; start += HASHED_RECIPIENTS_PER_TURN) {
        if (start > 0) await nextTurn();
        const end = Math.min(recipients.length, start + HASHED_RECIPIENTS_PER_TURN);
        let text = start > 0 ? ',' : '';
        for (let i = start; i < end; i++) {
          // As JSON.stringify writes an array's element: what has no JSON form is null.
          text += `${i > start ? ',' : ''}${JSON.stringify(recipients[i]) ?? 'null'}`;
        }
        hash.update(text);
      }
      hash.update(']');
    } else {
      hash.update(JSON.stringify(recipients) ?? 'null');
    }
    const rest = [fields.sender ?? null, fields.scheduled_at ?? null, fields.type ?? null, fields.callback_url ?? null];
    // send_window and validity_minutes join the list only when given, so that the hash of a request without them
    // (every one stored before they existed) stays what it was.
    if ((fields.send_window ?? null) !== null || (fields.validity_minutes ?? null) !== null) {
      rest.push(fields.send_window ?? null, fields.validity_minutes ?? null);
    }
    hash.update(`,${JSON.stringify(rest).slice(1)}`);
  } catch {
    // Nested too deep to serialise (RangeError): such fields never pass validation, so no sending is stored under
    // this hash; a random one matches no earlier request and the field rules answer.
    return createHash('sha256').update(randomUUID()).digest('hex');
  }
  return hash.digest('hex');
}

export function createApiServices(deps: ApiServicesDeps): ApiServices {
  const { db } = deps;

  return {
    async authenticate(token) {
      const found = await authenticateAccount(db, token);
      if (found !== null && 'suspended' in found) return found;
      const currency = found && currencyOf(found.account.currency);
      if (!found || !currency) return null;
      const { account } = found;
      return {
        id: account.id,
        currency,
        taxRatePpm: account.taxRatePpm,
        balanceMinor: account.balanceMinor,
        countries: account.countries,
      };
    },

    databaseReachable: () => databaseReachable(db),

    async listSenders(accountId) {
      return (await listUsableSenders(db, accountId)).map((s) => ({
        id: s.id,
        sender: s.name,
        platform: s.accountId === null,
      }));
    },

    countryExists: (countryId) => countryExists(db, countryId),

    async listRates(accountId, filters) {
      const rows = await listRates(db, accountId, {
        ...(filters.mcc !== undefined && { mcc: filters.mcc }),
        ...(filters.mnc !== undefined && { mnc: filters.mnc }),
        ...(filters.country !== undefined && { countryContains: filters.country }),
        ...(filters.countryId !== undefined && { countryId: filters.countryId }),
      });
      return rows.map((r) => ({
        mcc: r.mcc,
        mnc: r.mnc,
        country: r.country ?? '',
        iso: r.iso ?? '',
        rateMinor: r.rateMinor,
      }));
    },

    async calculate(account, fields) {
      // send_window and validity_minutes change no price; a bad one is refused here as POST /sendings would refuse it.
      const errors = new ValidationErrors();
      readDeliveryOptions(fields, errors);
      const quoted = await quoteFor(deps, account, fields, errors);
      return quoted.ok && !errors.empty ? { ok: false, errors } : quoted;
    },

    async createSending(account, fields, idempotencyKey, allowances = {}) {
      const hash = idempotencyKey === undefined ? null : await requestSha256(fields);
      /** The answer the key already has, if a request under it created a sending (within its time to live). */
      const firstAnswer = async (): Promise<Awaited<ReturnType<ApiServices['createSending']>> | undefined> => {
        if (idempotencyKey === undefined) return undefined;
        const earlier = await findByIdempotencyKey(db, account.id, idempotencyKey);
        if (!earlier) return undefined;
        if (earlier.requestSha256 === hash) return { ok: true, sendingId: earlier.id };
        return { ok: false, errors: new ValidationErrors().add('Idempotency-Key', ruleText.idempotencyReused()) };
      };
      const earlier = await firstAnswer();
      if (earlier) return earlier;

      const validated = await validateNewSending(deps, account, fields, allowances);
      // A request under the same key may have created its sending meanwhile: a key keeps its first answer.
      if (!validated.ok) return (await firstAnswer()) ?? validated;
      const { quote: q, options } = validated;
      // Committed with the other requests of this process arriving meanwhile: one transaction, each decided as alone.
      const created = await createSendingGrouped(db, {
        accountId: account.id,
        text: validated.text,
        sender: options.sender,
        type: options.type,
        scheduledAtUs: options.scheduledAtUs,
        encoding: q.encoding,
        partsPerMessage: q.partsPerMessage,
        recipients: q.recipients.length,
        smsCount: q.smsCount,
        subtotalMinor: q.subtotalMinor,
        taxMinor: q.taxMinor,
        totalMinor: q.totalMinor,
        idempotency:
          idempotencyKey === undefined || hash === null ? null : { key: idempotencyKey, requestSha256: hash },
        callbackUrl: options.callbackUrl,
        sendWindow: sendWindowHold(deps.plan, q, options.sendWindow),
        validityMinutes: options.validityMinutes,
        messages: messageRows(q),
        suppressed: suppressedRows(q),
      });
      if (created.ok) {
        deps.workSignal?.notify();
        return { ok: true, sendingId: created.sending.id };
      }
      switch (created.reason) {
        case 'insufficient_balance':
          return { ok: false, errors: new ValidationErrors().add('balance', TEXTS.insufficientBalance) };
        case 'spend_limit':
          return { ok: false, errors: spendLimitErrors(created, account.currency.code) };
        case 'idempotency_key_used':
          // Another request with the same key won the race; it is the same sending only if it is the same request.
          if (created.sending.requestSha256 === hash) return { ok: true, sendingId: created.sending.id };
          return { ok: false, errors: new ValidationErrors().add('Idempotency-Key', ruleText.idempotencyReused()) };
        case 'account_not_found':
          throw new Error(`authenticated account ${account.id} vanished`);
      }
    },

    async listSendings(accountId, page, perPage) {
      const [rows, total] = await Promise.all([
        listSendings(db, accountId, { page, perPage }),
        countSendings(db, accountId),
      ]);
      return { rows: rows.map(summary), total };
    },

    async getSending(accountId, sendingId) {
      const sending = await getSending(db, accountId, sendingId);
      return sending ? summary(sending) : null;
    },

    async listMessages(accountId, sendingId, page, perPage, filter = {}) {
      if (!(await getSending(db, accountId, sendingId))) return null;
      const [rows, total] = await Promise.all([
        listMessages(db, accountId, sendingId, { page, perPage, ...filter }),
        countMessages(db, accountId, sendingId, filter),
      ]);
      return { rows, total };
    },

    suppressions: createSuppressionServices(db),
    numbers: createNumberServices(db),
    inbound: { list: (accountId, filters) => listInbound(db, accountId, filters) },

    async cancelSending(accountId, sendingId) {
      const result = await cancelPendingSending(db, sendingId, accountId);
      if (!result.ok) return result;
      const sending = await getSending(db, accountId, sendingId);
      if (!sending) throw new Error(`cancelled sending ${sendingId} vanished`);
      return { ok: true, sending: summary(sending), refundedMinor: result.refundedMinor };
    },
  };
}
