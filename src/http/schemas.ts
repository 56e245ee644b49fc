// OpenAPI descriptions of the public API's routes. Request parts document only: the handlers validate with the
// contract's own texts. Response schemas of 200s also serialize those bodies (fast-json-stringify).

const errorBody = {
  type: 'object',
  properties: { message: { type: 'string' } },
} as const;

const validationBody = {
  type: 'object',
  properties: {
    message: { type: 'string', example: 'The given data was invalid.' },
    errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
} as const;

const common = {
  401: { description: 'Missing, unknown, revoked or expired token', ...errorBody },
  429: { description: 'Rate limit exceeded (Retry-After, X-RateLimit-* headers)', ...errorBody },
} as const;

const recipientsField = {
  description: 'International numbers without "+", 8 to 20 digits; or a string holding a JSON array of them',
  oneOf: [{ type: 'array', items: { type: 'string', pattern: '^\\d{8,20}$' } }, { type: 'string' }],
} as const;

const sendingSummary = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    text: { type: 'string' },
    created_at: { type: 'string', example: '2023-04-11T15:46:26.000000Z' },
    scheduled_at: { type: 'string', example: '2023-04-11 15:46:26' },
    status: { type: 'string', enum: ['Draft', 'Pending', 'Processing', 'Completed', 'Cancelled', 'Failed'] },
    total_sms: { type: 'integer' },
  },
} as const;

export const schemas = {
  status: {
    summary: 'Service status',
    description: '["OK"] while the database answers, 503 ["DOWN"] when it does not. Needs no token.',
    security: [],
    response: {
      200: { type: 'array', items: { type: 'string' }, example: ['OK'] },
      503: { type: 'array', items: { type: 'string' }, example: ['DOWN'] },
    },
  },
  balance: {
    summary: 'Account balance',
    response: {
      200: {
        type: 'object',
        properties: {
          balance: { type: 'string', description: 'Three decimals, truncated', example: '450.000' },
          sign: { type: 'string', example: '£' },
          code: { type: 'string', example: 'GBP' },
        },
      },
      ...common,
    },
  },
  senders: {
    summary: "The account's approved senders",
    response: {
      200: {
        type: 'object',
        properties: {
          senders: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'integer' }, sender: { type: 'string' } } },
          },
        },
      },
      ...common,
    },
  },
  rates: {
    summary: "The account's price list, optionally filtered",
    querystring: {
      type: 'object',
      properties: {
        mcc: { type: 'string', pattern: '^\\d{3}$', description: 'Required when mnc is present' },
        mnc: { type: 'string', description: '0 to 3 digits, or "null" for the country-wide rows' },
        country: { type: 'string', description: 'Part of the country name, any case' },
        country_id: { type: 'integer', description: 'An id of the country catalog' },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          rates: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                mcc: { type: 'string' },
                mnc: { type: ['string', 'null'] },
                country: { type: 'string' },
                rate: { type: 'number', description: 'Price of one SMS part, at most 4 decimals' },
              },
            },
          },
        },
      },
      422: validationBody,
      ...common,
    },
  },
  calculate: {
    summary: 'Price a sending without sending it',
    description: 'Parts per GSM 03.38; rate per operator (MCC+MNC), else per country. 3000 requests a minute.',
    body: {
      type: 'object',
      required: ['message', 'recipients'],
      properties: { message: { type: 'string', maxLength: 20000 }, recipients: recipientsField },
    },
    response: { 422: validationBody, ...common },
  },
  listSendings: {
    summary: "The account's sendings, newest first",
    querystring: {
      type: 'object',
      properties: {
        page: { type: 'integer', minimum: 1, default: 1 },
        per_page: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      },
    },
    response: {
      200: { type: 'object', properties: { sendings: { type: 'array', items: sendingSummary } } },
      422: validationBody,
      ...common,
    },
  },
  createSending: {
    summary: 'Create a sending: its cost is reserved from the balance at once',
    headers: {
      type: 'object',
      properties: {
        'idempotency-key': { type: 'string', maxLength: 255, description: 'Replays return the first answer' },
      },
    },
    body: {
      type: 'object',
      required: ['message', 'recipients', 'sender'],
      properties: {
        message: { type: 'string', maxLength: 20000 },
        recipients: recipientsField,
        sender: { type: 'string', description: 'An approved sender of the account, or a platform default' },
        scheduled_at: { type: 'string', description: 'Y-m-d H:i:s, UTC; absent or past means now' },
        type: { type: 'string', enum: ['default', 'infobip', 'twilio', 'messente', 'trumpia'] },
        callback_url: { type: 'string', format: 'uri', description: 'Per-message status changes are POSTed here' },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: { message: { type: 'string', example: 'SMS champing created' }, sending_id: { type: 'integer' } },
      },
      422: validationBody,
      ...common,
    },
  },
  getSending: {
    summary: 'One sending and its status',
    params: { type: 'object', properties: { id: { type: 'integer' } } },
    response: {
      200: {
        type: 'object',
        properties: {
          sending: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              status: sendingSummary.properties.status,
              updated_at: { type: 'string' },
              scheduled_at: { type: 'string' },
            },
          },
        },
      },
      404: { description: 'No query results for model {id}', ...errorBody },
      ...common,
    },
  },
  listMessages: {
    summary: "Per-recipient statuses of one of the account's sendings",
    params: { type: 'object', properties: { id: { type: 'integer' } } },
    querystring: {
      type: 'object',
      properties: {
        page: { type: 'integer', minimum: 1, default: 1 },
        per_page: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      },
    },
    response: {
      200: {
        type: 'object',
        properties: {
          messages: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'integer' },
                recipient: { type: 'string' },
                destination: { type: 'string' },
                mcc: { type: ['string', 'null'] },
                mnc: { type: ['string', 'null'] },
                sms: { type: 'integer' },
                rate: { type: 'number' },
                cost: { type: 'number' },
                status: {
                  type: 'string',
                  enum: [
                    'queued',
                    'submitting',
                    'submitted',
                    'delivered',
                    'undelivered',
                    'expired',
                    'rejected',
                    'failed',
                    'cancelled',
                  ],
                },
                provider: { type: ['string', 'null'] },
                error: { type: ['string', 'null'] },
                attempts: { type: 'integer' },
                submitted_at: { type: ['string', 'null'] },
                final_at: { type: ['string', 'null'] },
                updated_at: { type: 'string' },
              },
            },
          },
        },
      },
      404: { description: 'No query results for model {id}', ...errorBody },
      422: validationBody,
      ...common,
    },
  },
  cancelSending: {
    summary: 'Cancel a Pending sending; what it reserved is refunded in full',
    params: { type: 'object', properties: { id: { type: 'integer' } } },
    response: {
      200: {
        type: 'object',
        properties: {
          sending: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              status: { type: 'string' },
              updated_at: { type: 'string' },
              scheduled_at: { type: 'string' },
            },
          },
          refunded: { type: 'number' },
        },
      },
      404: { description: 'No query results for model {id}', ...errorBody },
      422: validationBody,
      ...common,
    },
  },
} as const;
