// Every named maximum of the platform in one place, so that a limit is changed once and shows everywhere.

/** Per-recipient errors listed in one 422 response; the rest are not enumerated. */
export const RECIPIENT_ERRORS_MAX = 100;

/** A recipient: international digits without "+". */
export const RECIPIENT_DIGITS_MIN = 8;
export const RECIPIENT_DIGITS_MAX = 20;

/** Characters of one message text (UTF-16 code units, as the text is stored and counted). */
export const MESSAGE_CHARS_MAX = 20_000;

/** Parts of one message: concatenation with an 8-bit reference numbers parts 1..255. */
export const MESSAGE_PARTS_MAX = 255;

/** Sender names: an alphanumeric sender is at most 11 characters, a numeric one at most 16 digits. */
export const SENDER_ALPHA_CHARS_MAX = 11;
export const SENDER_NUMERIC_DIGITS_MAX = 16;

/** A sending is scheduled before this time (UTC): later ones would not fit the store's microsecond timestamps. */
export const SCHEDULED_AT_BEFORE = '2200-01-01 00:00:00';

/** Page sizes of listings. */
export const PER_PAGE_DEFAULT = 100;
export const PER_PAGE_MAX = 1000;

/** Dispatch: messages leased in one statement, and the most a worker asks for however it is configured. */
export const DISPATCH_BATCH_DEFAULT = 1000;
export const DISPATCH_BATCH_MAX = 10_000;

/** Batches one worker has leased and not yet recorded, at most. */
export const DISPATCH_CONCURRENCY_DEFAULT = 4;
export const DISPATCH_CONCURRENCY_MAX = 64;

/** Hand-over attempts of one message (over all routes) before it fails for good and is refunded. */
export const DISPATCH_ATTEMPTS_MAX = 5;

/**
 * How long a leased message belongs to its worker. A provider call is cut off well before (see the worker), so that a
 * lease never expires while its call may still succeed: after expiry another worker re-checks and may hand it over.
 */
export const DISPATCH_LEASE_MS = 30_000;

/** Retry delay after a retryable refusal: base × 2^(attempt−1), never more than the cap. */
export const DISPATCH_BACKOFF_BASE_MS = 1_000;
export const DISPATCH_BACKOFF_CAP_MS = 5 * 60 * 1000;

/** A message a provider took but never reported on within this time is marked expired (still charged). */
export const DELIVERY_REPORT_WAIT_MAX_MS = 72 * 60 * 60 * 1000;

/** Delivery reports asked of a polling provider in one call, and kept aside for an unknown id at most this long. */
export const REPORT_POLL_BATCH_MAX = 5_000;
export const PENDING_REPORT_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Finished status callbacks (delivered or abandoned) and the sandbox provider's record of what it accepted are
 * forgotten after this long: well past the longest wait for a delivery report, so nothing still needs them.
 */
export const FINISHED_ROWS_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** Customer status callbacks: POST attempts, their backoff, the timeout of one POST, and rows claimed at once. */
export const CALLBACK_ATTEMPTS_MAX = 10;
export const CALLBACK_BACKOFF_BASE_MS = 1_000;
export const CALLBACK_BACKOFF_CAP_MS = 60 * 60 * 1000;
export const CALLBACK_TIMEOUT_MS = 10_000;
export const CALLBACK_BATCH_MAX = 100;

/** After a webhook secret is rotated, the previous one still signs callbacks this long (beside the new one). */
export const WEBHOOK_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * A provider's circuit breaker (per worker process): this many failed hand-over calls in a row (a timeout, a lost
 * answer, or every message of the call refused retryably), the first of them at most the window ago, open it.
 */
export const PROVIDER_CIRCUIT_FAILURES_TO_OPEN = 5;
export const PROVIDER_CIRCUIT_FAILURE_WINDOW_MS = 60_000;
/** How long an open circuit keeps traffic away: the base at first, doubled after each failed probe, never more than the cap. */
export const PROVIDER_CIRCUIT_COOL_DOWN_BASE_MS = 15_000;
export const PROVIDER_CIRCUIT_COOL_DOWN_CAP_MS = 5 * 60 * 1000;
/** Messages a half-open circuit lets through as its probe; how long messages held back meanwhile wait. */
export const PROVIDER_CIRCUIT_PROBE_MESSAGES_MAX = 10;
export const PROVIDER_CIRCUIT_PROBE_WAIT_MS = 1_000;

/**
 * How far before now a dashboard form's schedule may be and still be taken (the form picks a time to the minute);
 * earlier, the form refuses it (`scheduleIsPast`). The public API sends a sending scheduled in the past at once.
 */
export const SCHEDULE_PAST_GRACE_US = 60 * 1_000_000;

/** Recipients a dashboard compose form may hold (typed, pasted or from a CSV file). */
export const COMPOSE_RECIPIENTS_MAX = 1_000_000;
/** Invalid recipients listed one by one in a dashboard price answer; the rest are only counted. */
export const INVALID_LISTED_MAX = 1_000;

/** A dashboard session ends this long after it started, however active (the cookie's lifetime too). */
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/** An invitation link works this long after it is made (then the operator makes a new one). */
export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** Characters of an email address (RFC 5321's path limit less its angle brackets). */
export const EMAIL_CHARS_MAX = 254;

/** Numbers one `POST /suppressions` may add (the API's and the CLI's list). */
export const SUPPRESSIONS_PER_REQUEST_MAX = 10_000;
/** Numbers one CSV import of the dashboard's opt-out list may hold. */
export const SUPPRESSION_IMPORT_MAX = 1_000_000;
/** Bad rows of a refused opt-out import named one by one (the first ones); the rest are only counted. */
export const SUPPRESSION_IMPORT_ERRORS_LISTED = 10;

/** Days a margin report covers unless told otherwise (ending today, UTC), and at most. */
export const MARGIN_DAYS_DEFAULT = 30;
export const MARGIN_DAYS_MAX = 366;

/** Characters of an account's HELP answer and STOP/START confirmations (four GSM-7 parts). */
export const KEYWORD_REPLY_CHARS_MAX = 612;
/** A keyword answer still owed this long after its keyword was stored is sent by the worker's sweep (its process died). */
export const KEYWORD_REPLY_RETRY_AFTER_MS = 5_000;
/** A keyword answer owed longer than this is given up: too late to be an answer (well within an idempotency key's life). */
export const KEYWORD_REPLY_GIVE_UP_MS = 60 * 60 * 1000;

/** Characters of one of an account's own stop or start words, and how many (stop and start together) it may have. */
export const OPT_OUT_WORD_CHARS_MAX = 20;
export const OPT_OUT_WORDS_MAX = 20;

/** Messages a conversation shows, newest, at most. */
export const CONVERSATION_ITEMS_MAX = 500;

/** `validity_minutes` of a sending: from one minute to three days (72 hours, the longest wait for a report). */
export const VALIDITY_MINUTES_MIN = 1;
export const VALIDITY_MINUTES_MAX = 4320;
