// OpenAPI descriptions of the public API's routes: exactly what each accepts and every answer it can give.
// Fastify validates path parameters and headers with them (see validation.ts); bodies and query strings are checked by
// the handlers, whose errors come all together in the contract's order, and a test keeps both in agreement.
// Response schemas of 200s also serialize those bodies (fast-json-stringify).

import { PROVIDER_SENDING_TYPES } from '../dispatch/registry.js';
import {
  MESSAGE_CHARS_MAX,
  PER_PAGE_DEFAULT,
  PER_PAGE_MAX,
  SUPPRESSIONS_PER_REQUEST_MAX,
  VALIDITY_MINUTES_MAX,
  VALIDITY_MINUTES_MIN,
} from '../domain/limits.js';
import { SUPPRESSION_SENDER_CHARS_MAX, SUPPRESSION_SOURCES } from '../domain/opt-out.js';
import { SENDING_STATUSES } from '../domain/sending.js';
import { MESSAGE_STATUSES } from '../domain/status.js';
import { PAGING_HEADERS_SCHEMA } from './paging.js';

/** The largest id a path takes: longer digit strings are answered 404 without a look-up. */
export const PATH_ID_MAX = 999_999_999_999_999;
/** A recipient given as a JSON number: 8 digits at least, and exact (a safe integer). */
const RECIPIENT_NUMBER = { type: 'integer', minimum: 10_000_000, maximum: Number.MAX_SAFE_INTEGER } as const;
/** A string that holds no more than white space: optional fields given so are absent. */
const BLANK = { pattern: '^\\s*$' } as const;

const messageOnly = (description: string) =>
  ({
    description,
    type: 'object',
    required: ['message'],
    additionalProperties: false,
    properties: { message: { type: 'string' } },
  }) as const;

const validationBody = {
  description:
    'Validation failed: every failing rule, keyed by field. With one failing rule `message` is its text, else ' +
    '"The given data was invalid."',
  type: 'object',
  required: ['message', 'errors'],
  additionalProperties: false,
  properties: {
    message: { type: 'string', example: 'The given data was invalid.' },
    errors: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'array', minItems: 1, items: { type: 'string' } },
    },
    hints: {
      type: 'object',
      description:
        'Only beside some errors, keyed as they are: what would be taken instead, e.g. for a recipient written ' +
        '"+371 2612 3457": "send 37126123457: digits only, with the country code"',
      minProperties: 1,
      additionalProperties: { type: 'string' },
    },
  },
} as const;

/** Answers any request can get, before or whatever its route. */
const always = {
  400: messageOnly('Malformed HTTP request, or a body that is not valid JSON, form or multipart data'),
  408: messageOnly('The request took too long to arrive'),
  413: messageOnly('The request body is too large'),
  417: messageOnly('An Expect header other than 100-continue'),
  429: {
    ...messageOnly('Rate limit exceeded: "Too Many Attempts."'),
    headers: {
      'Retry-After': { type: 'integer', description: 'Seconds until the window resets' },
      'X-RateLimit-Limit': { type: 'integer', description: 'Requests allowed in the window' },
      'X-RateLimit-Remaining': { type: 'integer', description: 'Requests left in the window' },
    },
  },
  431: messageOnly('The request headers are too large'),
  500: messageOnly('Unexpected fault: "Server Error"; details are logged under the X-Request-Id'),
  503: {
    description: 'The database is unreachable, or the server is shutting down',
    headers: { 'Retry-After': { type: 'integer', description: 'Seconds to wait before trying again' } },
    type: 'object',
    required: ['message'],
    properties: { message: { type: 'string' } },
  },
} as const;

/** Answers of the routes that take a bearer token. */
const authenticated = {
  ...always,
  401: {
    description:
      'Missing, malformed, unknown, revoked or expired token: "Unauthenticated."; a good token of a suspended account ' +
      'also carries `"reason": "account_suspended"`.',
    type: 'object',
    required: ['message'],
    additionalProperties: false,
    properties: { message: { type: 'string' }, reason: { type: 'string', enum: ['account_suspended'] } },
  },
} as const;

/** Answers of the routes that read a request body (POST). */
const withBody = {
  ...authenticated,
  415: messageOnly('A Content-Type the server cannot read'),
} as const;

const notFound = messageOnly('No sending of the account has this id: "No query results for model {id}"');

const pathId = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'integer',
      minimum: 1,
      maximum: PATH_ID_MAX,
      description: "The sending's id (1 to 15 digits); another account's sending is a 404, as an unknown one",
    },
  },
} as const;

const pageQuery = {
  type: 'object',
  additionalProperties: true,
  properties: {
    page: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1 },
    per_page: { type: 'integer', minimum: 1, maximum: PER_PAGE_MAX, default: PER_PAGE_DEFAULT },
  },
} as const;

const messageField = {
  type: 'string',
  minLength: 1,
  maxLength: MESSAGE_CHARS_MAX,
  pattern: '\\S',
  format: 'sms-text',
  description:
    'The text: not blank, no NUL, no lone surrogate, at most 20,000 UTF-16 code units and 255 parts (GSM 03.38)',
} as const;

const recipientsField = {
  description:
    'International numbers without "+", 8 to 20 digits (as strings, or as exact JSON integers); or one string of ' +
    'comma-separated numbers or holding a JSON array of them. Each must have a rate in the price list, else 422 ' +
    '"The recipients.N has no available rate."',
  anyOf: [
    {
      type: 'array',
      minItems: 1,
      items: { anyOf: [{ type: 'string', pattern: '^\\d{8,20}$' }, RECIPIENT_NUMBER] },
    },
    RECIPIENT_NUMBER,
    { type: 'string', format: 'recipient-list', pattern: '\\d{8}' },
  ],
} as const;

const smartEncodingField = {
  anyOf: [
    { type: 'boolean' },
    { type: 'string', nullable: true, enum: [null] },
    { type: 'integer', enum: [0, 1] },
    {
      type: 'string',
      anyOf: [BLANK, { pattern: '^\\s*([01]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Nn]|[Oo][Ff][Ff])\\s*$' }],
    },
  ],
  description:
    'Extension. When true, characters outside GSM 03.38 that have a GSM look-alike (ā → a, “ → ", – → -) are ' +
    'replaced, if that makes the whole text GSM-7, and the text is priced and sent so. Default false. `calculate` ' +
    "then adds `info.smart_encoding`: whether it applied, the text as written's encoding, parts and total, and the " +
    'amount saved',
} as const;

const sendWindowField = {
  anyOf: [
    { type: 'string', nullable: true, enum: [null] },
    {
      type: 'string',
      anyOf: [
        BLANK,
        {
          pattern: '^\\s*([01]\\d|2[0-3]):[0-5]\\d-([01]\\d|2[0-3]):[0-5]\\d\\s*$',
          not: { pattern: '^\\s*(\\d\\d:\\d\\d)-\\1\\s*$' },
        },
      ],
    },
  ],
  description:
    'Extension. Quiet hours: `HH:MM-HH:MM` (24-hour, start and end differ) in the local time of each recipient (the ' +
    "time zone of the number's country; for a country of several zones, its capital's). A message outside the " +
    'window waits, reserved as usual, and goes when it opens; a start after the end crosses midnight ' +
    '(`21:00-07:00`). Absent, blank or null: any time. `calculate` checks it and prices as without it',
  example: '08:00-20:00',
} as const;

const validityMinutesField = {
  anyOf: [
    { type: 'integer', minimum: VALIDITY_MINUTES_MIN, maximum: VALIDITY_MINUTES_MAX },
    { type: 'string', nullable: true, enum: [null] },
    {
      type: 'string',
      anyOf: [BLANK, { pattern: '^\\s*0*([1-9]\\d{0,2}|[1-3]\\d{3}|4[0-2]\\d{2}|43[01]\\d|4320)\\s*$' }],
    },
  ],
  description:
    'Extension. Minutes (1 to 4320) after the sending is due within which each message must be handed to a ' +
    'provider: one still waiting then ends `expired` and is refunded; one handed over carries the rest of the period ' +
    'to the provider (SMPP validity_period, Infobip validityPeriod, Twilio ValidityPeriod, Messente validity). ' +
    'Absent, blank or null: no limit',
  example: 60,
} as const;

const pricingFields = {
  message: messageField,
  recipients: recipientsField,
  smart_encoding: smartEncodingField,
  send_window: sendWindowField,
  validity_minutes: validityMinutesField,
} as const;

const sendingSummary = {
  type: 'object',
  required: ['id', 'text', 'created_at', 'scheduled_at', 'status', 'total_sms'],
  properties: {
    id: { type: 'integer' },
    text: { type: 'string' },
    created_at: { type: 'string', example: '2023-04-11T15:46:26.000000Z' },
    scheduled_at: { type: 'string', example: '2023-04-11 15:46:26' },
    status: { type: 'string', enum: SENDING_STATUSES },
    total_sms: { type: 'integer' },
  },
} as const;

const sendingState = {
  type: 'object',
  required: ['id', 'status', 'updated_at', 'scheduled_at'],
  properties: {
    id: { type: 'integer' },
    status: sendingSummary.properties.status,
    updated_at: { type: 'string', example: '2023-04-11T15:46:26.000000Z' },
    scheduled_at: { type: 'string', example: '2023-04-11 15:46:26' },
  },
} as const;

/** GET /sendings/{id}: the state, and the sending's quiet hours and validity (extensions, present when it has them). */
const sendingDetail = {
  ...sendingState,
  properties: {
    ...sendingState.properties,
    send_window: { type: 'string', example: '08:00-20:00' },
    validity_minutes: { type: 'integer', example: 60 },
    expires_at: {
      type: 'string',
      example: '2023-04-11T16:46:26.000000Z',
      description: 'When the validity ends: messages not handed over by then end `expired`',
    },
  },
} as const;

const money = { type: 'number', description: 'At most 4 decimals' } as const;

const calculation = {
  type: 'object',
  required: ['calculate'],
  properties: {
    calculate: {
      type: 'object',
      required: ['info', 'destinations'],
      properties: {
        info: {
          type: 'object',
          required: ['sms_count', 'subtotal', 'total', 'tax'],
          properties: {
            sms_count: { type: 'integer', minimum: 0 },
            subtotal: money,
            total: money,
            tax: money,
            encoding: { type: 'string', enum: ['GSM-7', 'UCS-2'] },
            ucs2_characters: { type: 'array', items: { type: 'string' } },
            parts_per_message: { type: 'integer', minimum: 1 },
            recipients: { type: 'integer', minimum: 0 },
            smart_encoding: {
              type: 'object',
              description: 'Present when smart_encoding was asked for',
              required: ['applied', 'original_encoding', 'original_parts_per_message', 'original_total', 'saved'],
              properties: {
                applied: { type: 'boolean' },
                original_encoding: { type: 'string', enum: ['GSM-7', 'UCS-2'] },
                original_parts_per_message: { type: 'integer', minimum: 1 },
                original_total: money,
                saved: money,
              },
            },
          },
        },
        destinations: {
          type: 'array',
          items: {
            type: 'object',
            required: ['numbers', 'destination', 'sms_count', 'price', 'total'],
            properties: {
              numbers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['phone_number', 'destination', 'sms', 'rate', 'total'],
                  properties: {
                    phone_number: { type: 'integer', description: "The recipient's digits, as a JSON number" },
                    destination: { type: 'string' },
                    sms: { type: 'integer', minimum: 1 },
                    rate: money,
                    total: money,
                  },
                },
              },
              destination: { type: 'string', example: 'Denmark Telenor' },
              sms_count: { type: 'integer', minimum: 0 },
              price: money,
              total: money,
              mcc: { type: 'string', nullable: true },
              mnc: { type: 'string', nullable: true },
            },
          },
        },
        suppressed: {
          type: 'array',
          description:
            "Recipients on the account's suppression list (opted out): left out of `info` and `destinations`, never " +
            'charged. Present only when some recipient is suppressed.',
          minItems: 1,
          items: {
            type: 'object',
            required: ['phone_number', 'reason'],
            properties: {
              phone_number: { type: 'integer', description: "The recipient's digits, as a JSON number" },
              reason: { type: 'string', example: 'The recipient opted out by replying STOP.' },
              sender: {
                type: 'string',
                description:
                  "Present when the entry matched applies only to sendings from this sender (the account's opt-out " +
                  'scope `sender`, or an entry added for one sender)',
              },
            },
          },
        },
      },
    },
  },
} as const;

/** A number as the suppression endpoints take it, in the body or the path: 8 to 20 digits. */
const PHONE_TEXT = { type: 'string', pattern: '^\\d{8,20}$' } as const;

const suppression = {
  type: 'object',
  required: ['phone_number', 'source', 'created_at'],
  properties: {
    phone_number: { type: 'string', example: '37120000001' },
    source: {
      type: 'string',
      enum: [...SUPPRESSION_SOURCES],
      description: 'Who put it on the list: the API, the dashboard, the platform operator, or a STOP reply',
    },
    created_at: { type: 'string', example: '2023-04-11T15:46:26.000000Z' },
    sender: {
      type: 'string',
      example: 'Shop',
      description:
        'The sender (a name, or a number without "+") whose sendings the entry applies to; absent: every sending ' +
        'of the account',
    },
  },
} as const;

/** The optional sender of an entry, in the query or the body. */
const SUPPRESSION_SENDER = {
  type: 'string',
  maxLength: SUPPRESSION_SENDER_CHARS_MAX,
  pattern: '^[^\\u0000-\\u001f\\u007f]*$',
  description:
    'The entry of this sender (a name, or a number) only: it applies to sendings from that sender. Absent or empty: ' +
    'the account-wide entry, which applies to every sending',
} as const;

const senderQuery = {
  type: 'object',
  additionalProperties: true,
  properties: {
    sender: {
      ...SUPPRESSION_SENDER,
      description:
        'The entry of this sender only. Absent: the account-wide entry, else the first of the number (GET), or ' +
        'every entry of the number (DELETE)',
    },
  },
} as const;

const phonePath = {
  type: 'object',
  required: ['phone'],
  properties: { phone: { ...PHONE_TEXT, description: 'The number, 8 to 20 digits without "+"' } },
} as const;

const phoneNotFound = messageOnly(
  'The number is not on the account\'s suppression list: "No query results for model {phone}"',
);

const receivingNumber = {
  type: 'object',
  required: ['number', 'keyword', 'created_at'],
  properties: {
    number: {
      type: 'string',
      description: 'A long number (international digits) or a short code',
      example: '37120000100',
    },
    keyword: {
      type: 'string',
      nullable: true,
      description:
        "On a shared short code, the keyword (upper case) a message's first word must be to reach the account; " +
        'null when the account has the whole number',
    },
    created_at: { type: 'string', example: '2023-04-11T15:46:26.000000Z' },
  },
} as const;

const inboundMessage = {
  type: 'object',
  required: ['id', 'from', 'to', 'text', 'received_at'],
  properties: {
    id: { type: 'integer' },
    from: {
      type: 'string',
      description:
        'The sender: a number as international digits without "+" (one written without its country code is read ' +
        'as a number of the country of the number it came to), or a sender name as given',
      example: '37120000001',
    },
    to: { type: 'string', description: 'The number it was sent to, one of GET /numbers', example: '37120000100' },
    text: { type: 'string' },
    received_at: { type: 'string', example: '2023-04-11T15:46:26.000000Z' },
    keyword_effect: {
      type: 'string',
      nullable: true,
      enum: ['opt_out', 'opt_in', 'help', null],
      description:
        "What the message did as a keyword sent alone (a built-in one or one of the account's own stop and start " +
        'words): opt_out (the sender was suppressed), opt_in (its suppression was taken away), help; null: nothing',
      example: null,
    },
  },
} as const;

const ISO_TIME_FILTER = {
  type: 'string',
  format: 'utc-time',
  description: 'UTC time, "2023-04-11T15:46:26Z" (up to six decimals)',
  example: '2023-04-11T00:00:00Z',
} as const;

export const schemas = {
  status: {
    summary: 'Service status',
    description: '["OK"] while the database answers, 503 ["DOWN"] when it does not. Needs no token.',
    security: [],
    response: {
      200: { type: 'array', items: { type: 'string', enum: ['OK'] }, minItems: 1, maxItems: 1, example: ['OK'] },
      ...always,
      503: {
        description: '["DOWN"]: the database is unreachable; or the server is shutting down',
        anyOf: [
          { type: 'array', items: { type: 'string', enum: ['DOWN'] }, minItems: 1, maxItems: 1, example: ['DOWN'] },
          always[503],
        ],
      },
    },
  },
  balance: {
    summary: 'Account balance',
    response: {
      200: {
        type: 'object',
        required: ['balance', 'sign', 'code'],
        properties: {
          balance: {
            type: 'string',
            pattern: '^\\d+\\.\\d{3}$',
            description: 'Three decimals, truncated',
            example: '450.000',
          },
          sign: { type: 'string', example: '£' },
          code: { type: 'string', pattern: '^[A-Z]{3}$', example: 'GBP' },
        },
      },
      ...authenticated,
    },
  },
  senders: {
    summary: 'The senders a sending may use',
    description:
      "The account's approved senders, oldest first, then the platform's default senders every account may use, " +
      'marked `"platform": true` (one the account has under the same name is listed once, as its own).',
    response: {
      200: {
        type: 'object',
        required: ['senders'],
        properties: {
          senders: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'sender'],
              properties: { id: { type: 'integer' }, sender: { type: 'string' }, platform: { type: 'boolean' } },
            },
          },
        },
      },
      ...authenticated,
    },
  },
  rates: {
    summary: "The account's price list, optionally filtered",
    description: 'A non-empty `mnc` needs a non-empty `mcc` ("The mcc field is required when mnc is present.").',
    'x-dependent-required': { mnc: ['mcc'] },
    querystring: {
      type: 'object',
      additionalProperties: true,
      properties: {
        mcc: { type: 'string', pattern: '^(\\d{3})?$', description: '3 digits; empty means no filter' },
        mnc: {
          type: 'string',
          pattern: '^(\\d{0,3}|null)$',
          description: '1 to 3 digits, or "null" for the country-wide rows; empty means no filter; needs mcc',
        },
        country: { type: 'string', description: 'Part of the country name, any case' },
        country_id: {
          type: 'integer',
          minimum: 1,
          maximum: 2_147_483_647,
          description: 'An id of the country catalog; an id it does not have is a 422',
        },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['rates'],
        properties: {
          rates: {
            type: 'array',
            items: {
              type: 'object',
              required: ['mcc', 'mnc', 'country', 'rate'],
              properties: {
                mcc: { type: 'string' },
                mnc: { type: 'string', nullable: true },
                country: { type: 'string' },
                rate: { type: 'number', description: 'Price of one SMS part, at most 4 decimals' },
              },
            },
          },
        },
      },
      422: validationBody,
      ...authenticated,
    },
  },
  calculate: {
    summary: 'Price a sending without sending it',
    description: 'Parts per GSM 03.38; rate per operator (MCC+MNC), else per country. 3000 requests a minute.',
    consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
    body: {
      type: 'object',
      required: ['message', 'recipients'],
      additionalProperties: true,
      properties: pricingFields,
    },
    response: { 200: calculation, 422: validationBody, ...withBody },
  },
  listSendings: {
    summary: "The account's sendings, newest first",
    querystring: pageQuery,
    response: {
      200: {
        type: 'object',
        headers: PAGING_HEADERS_SCHEMA,
        required: ['sendings'],
        properties: { sendings: { type: 'array', items: sendingSummary } },
      },
      422: validationBody,
      ...authenticated,
    },
  },
  createSending: {
    summary: 'Create a sending: its cost is reserved from the balance at once',
    description:
      'Besides the rules of each field: the sender must be one the account may use, the type must have a provider ' +
      'on this platform, and the balance must cover the total (422 on `balance`).',
    consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
    headers: {
      type: 'object',
      properties: {
        'idempotency-key': {
          type: 'string',
          maxLength: 255,
          description: 'Replays with the same body within 24 hours return the first answer; empty means none',
        },
      },
    },
    body: {
      type: 'object',
      required: ['message', 'recipients', 'sender'],
      additionalProperties: true,
      properties: {
        ...pricingFields,
        sender: {
          type: 'string',
          pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$',
          description: 'An approved sender of the account, or a platform default (spaces around it are ignored)',
        },
        scheduled_at: {
          type: 'string',
          nullable: true,
          anyOf: [BLANK, { pattern: '^\\s*\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\s*$', format: 'ymd-his' }],
          description: 'Y-m-d H:i:s, UTC, before 2200-01-01 00:00:00; absent, blank, null or past means now',
        },
        type: {
          type: 'string',
          nullable: true,
          anyOf: [{ enum: ['default', ...PROVIDER_SENDING_TYPES] }, BLANK],
          description: 'Absent, blank or null means default (platform routing)',
        },
        callback_url: {
          type: 'string',
          nullable: true,
          anyOf: [BLANK, { maxLength: 2048, pattern: '^[Hh][Tt][Tt][Pp][Ss]?:', format: 'public-http-url' }],
          description: 'Per-message status changes are POSTed here; a public http(s) URL; blank or null means none',
        },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['message', 'sending_id'],
        properties: {
          message: { type: 'string', enum: ['SMS champing created'], example: 'SMS champing created' },
          sending_id: { type: 'integer' },
        },
      },
      422: validationBody,
      ...withBody,
    },
  },
  getSending: {
    summary: 'One sending and its status',
    params: pathId,
    response: {
      200: { type: 'object', required: ['sending'], properties: { sending: sendingDetail } },
      404: notFound,
      ...authenticated,
    },
  },
  listMessages: {
    summary: "Per-recipient statuses of one of the account's sendings",
    params: pathId,
    querystring: {
      ...pageQuery,
      properties: {
        ...pageQuery.properties,
        status: {
          type: 'string',
          anyOf: [{ enum: [...MESSAGE_STATUSES] }, BLANK],
          description:
            'Only the messages in this status (X-Total-Count counts them); absent or blank means all; another ' +
            'value is a 422 "The selected status is invalid."',
        },
      },
    },
    response: {
      200: {
        type: 'object',
        headers: PAGING_HEADERS_SCHEMA,
        required: ['messages'],
        properties: {
          messages: {
            type: 'array',
            items: {
              type: 'object',
              required: [
                'id',
                'recipient',
                'destination',
                'mcc',
                'mnc',
                'sms',
                'rate',
                'cost',
                'charged',
                'refunded',
                'status',
                'provider',
                'provider_status',
                'error',
                'attempts',
                'submitted_at',
                'final_at',
                'updated_at',
              ],
              properties: {
                id: { type: 'integer' },
                recipient: { type: 'string' },
                destination: { type: 'string' },
                mcc: { type: 'string', nullable: true },
                mnc: { type: 'string', nullable: true },
                sms: { type: 'integer' },
                rate: { type: 'number' },
                cost: {
                  type: 'number',
                  description: 'The price of the message: rate × sms, cut to the parts a provider took if it took some',
                },
                charged: {
                  type: 'number',
                  description:
                    'What stays charged for it, before tax: its cost once a provider accepted it (whatever the ' +
                    'delivery report says), else 0',
                },
                refunded: {
                  type: 'number',
                  description:
                    'What is refunded for it, before tax: its whole cost once it is final without any provider having ' +
                    'accepted it (rejected at submission, failed, cancelled), the parts no provider took of one ' +
                    'accepted only partly; else 0. While it is queued or being handed over both are 0: still reserved',
                },
                status: { type: 'string', enum: [...MESSAGE_STATUSES] },
                provider: { type: 'string', nullable: true },
                provider_status: {
                  type: 'string',
                  nullable: true,
                  description:
                    "The provider's last word on the message short of a final one, as the provider spells it (for " +
                    'Twilio: accepted, scheduled, queued, sending, sent); null when it said none. While `status` is ' +
                    '`submitted`, `sent` means handed to the carrier, which may never send a delivery receipt. It ' +
                    'never changes `status` and stays as it was once the message is final.',
                  example: 'sent',
                },
                error: { type: 'string', nullable: true },
                attempts: { type: 'integer' },
                submitted_at: { type: 'string', nullable: true },
                final_at: { type: 'string', nullable: true },
                updated_at: { type: 'string' },
              },
            },
          },
        },
      },
      404: notFound,
      422: validationBody,
      ...authenticated,
    },
  },
  cancelSending: {
    summary: 'Cancel a Pending sending; what it reserved is refunded in full',
    params: pathId,
    response: {
      200: {
        type: 'object',
        required: ['sending', 'refunded'],
        properties: { sending: sendingState, refunded: money },
      },
      404: notFound,
      422: validationBody,
      ...withBody,
    },
  },
  listSuppressions: {
    summary: "The account's suppression list (numbers that opted out), in number order",
    querystring: {
      type: 'object',
      additionalProperties: true,
      properties: {
        ...pageQuery.properties,
        search: { type: 'string', pattern: '^\\d{1,20}$', description: 'Only the numbers starting with these digits' },
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['suppressions'],
        properties: { suppressions: { type: 'array', items: suppression } },
      },
      422: validationBody,
      ...authenticated,
    },
  },
  addSuppressions: {
    summary: "Put numbers on the account's suppression list: no sending to them is ever sent or charged",
    description: 'Adding a number already on the list changes nothing (its first source stays).',
    consumes: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
    body: {
      type: 'object',
      required: ['phone_numbers'],
      additionalProperties: true,
      properties: {
        phone_numbers: {
          type: 'array',
          minItems: 1,
          maxItems: SUPPRESSIONS_PER_REQUEST_MAX,
          items: { anyOf: [PHONE_TEXT, RECIPIENT_NUMBER] },
        },
        sender: SUPPRESSION_SENDER,
      },
    },
    response: {
      200: {
        type: 'object',
        required: ['added'],
        properties: { added: { type: 'integer', minimum: 0, description: 'Numbers this request put on the list' } },
      },
      422: validationBody,
      ...withBody,
    },
  },
  getSuppression: {
    summary: "One number of the account's suppression list",
    params: phonePath,
    querystring: senderQuery,
    response: {
      200: { type: 'object', required: ['suppression'], properties: { suppression } },
      404: phoneNotFound,
      422: validationBody,
      ...authenticated,
    },
  },
  deleteSuppression: {
    summary: "Take a number off the account's suppression list: it may be sent to again",
    params: phonePath,
    querystring: senderQuery,
    response: {
      200: {
        type: 'object',
        required: ['phone_number', 'removed'],
        properties: { phone_number: { type: 'string' }, removed: { type: 'boolean', enum: [true] } },
      },
      404: phoneNotFound,
      422: validationBody,
      ...authenticated,
    },
  },
  listNumbers: {
    summary: 'The numbers (or keywords of shared short codes) the account receives messages on',
    description: 'Assigned by the platform operator.',
    response: {
      200: {
        type: 'object',
        required: ['numbers'],
        properties: {
          numbers: { type: 'array', items: receivingNumber },
          inbound_url: {
            type: 'string',
            nullable: true,
            description:
              'Where each received message is POSTed as JSON (id, from, to, text, received_at, parts, keyword_effect), ' +
              "signed and retried as status callbacks are (X-Smsgic-Signature under the account's webhook secret); " +
              'null: nowhere. Set in the dashboard (Settings) or by the operator.',
          },
        },
      },
      ...authenticated,
    },
  },
  listInbound: {
    summary: "The messages the account's numbers received, newest first",
    description:
      'A STOP reply (alone, any case) also puts the sender on the suppression list, and START takes it off; so do ' +
      "the account's own stop and start words (Settings, or the operator's `smsgic account keywords`). Each item's " +
      'keyword_effect tells what it did.',
    querystring: {
      type: 'object',
      additionalProperties: true,
      properties: {
        ...pageQuery.properties,
        number: { type: 'string', pattern: '^\\d{3,20}$', description: 'Only those received on this number' },
        from: {
          ...ISO_TIME_FILTER,
          description: `Only those received at or after this time: ${ISO_TIME_FILTER.description}`,
        },
        to: {
          ...ISO_TIME_FILTER,
          description: `Only those received at or before this time: ${ISO_TIME_FILTER.description}`,
        },
      },
    },
    response: {
      200: {
        type: 'object',
        headers: PAGING_HEADERS_SCHEMA,
        required: ['inbound'],
        properties: { inbound: { type: 'array', items: inboundMessage } },
      },
      422: validationBody,
      ...authenticated,
    },
  },
} as const;
