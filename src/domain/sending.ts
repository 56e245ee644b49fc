// A sending's words: the statuses it passes through and the types that choose its upstream, defined once here.
import { SCHEDULE_PAST_GRACE_US } from './limits.js';

/**
 * `Draft` (saved in the dashboard, nothing reserved), `Pending` (reserved, waiting for its time or a worker),
 * `Processing` (being handed over), then `Completed`, `Cancelled` or `Failed`.
 */
export const SENDING_STATUSES = ['Draft', 'Pending', 'Processing', 'Completed', 'Cancelled', 'Failed'] as const;
export type SendingStatus = (typeof SENDING_STATUSES)[number];

/** The types that name one upstream provider (`type` of `POST /sendings`). */
export const NAMED_SENDING_TYPES = ['infobip', 'twilio', 'messente', 'trumpia'] as const;
export type NamedSendingType = (typeof NAMED_SENDING_TYPES)[number];

/** Every sending type: `default` lets the platform's route choose the upstream. */
export const SENDING_TYPES = ['default', ...NAMED_SENDING_TYPES] as const;
export type SendingType = (typeof SENDING_TYPES)[number];

export function isSendingType(value: string): value is SendingType {
  return (SENDING_TYPES as readonly string[]).includes(value);
}

/** Whether a schedule a person picked is in the past (beyond `SCHEDULE_PAST_GRACE_US`): the dashboard refuses it. */
export function scheduleIsPast(scheduledAtUs: number, nowUs: number): boolean {
  return scheduledAtUs < nowUs - SCHEDULE_PAST_GRACE_US;
}
