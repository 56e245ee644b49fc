// Infobip SMS API v3 on the wire: paths, request and response shapes, documented statuses and our reading of them.
import type { ReportStatus } from '../../../domain/status.js';

/**
 * v3 rather than the legacy v2 `/sms/2/text/advanced`: it is the API the official clients build today, its error body
 * (`errorCode`, `violations`) is documented for 429 as well as 400, and its logs (`/sms/3/logs`) take our message ids,
 * which is how an unknown outcome is settled.
 */
export const INFOBIP_SEND_PATH = '/sms/3/messages';
export const INFOBIP_LOGS_PATH = '/sms/3/logs';
/** Documented maximum of `limit` on the logs; logs cover the last 48 hours only. */
export const INFOBIP_LOGS_LIMIT_MAX = 1_000;
/** Documented maximum length of the `messageId` filter of the logs. */
export const INFOBIP_LOGS_MESSAGE_IDS_CHARS_MAX = 2_048;
/** Reports one webhook request carries at most (Infobip's documented default). */
export const INFOBIP_REPORTS_PER_REQUEST_MAX = 100;
/** Where Infobip POSTs delivery reports, under PUBLIC_URL. */
export const INFOBIP_WEBHOOK_PATH = '/webhooks/infobip';

export interface InfobipStatus {
  readonly groupId: number;
  readonly groupName: string;
  readonly id: number;
  readonly name: string;
  readonly description?: string;
  readonly action?: string;
}

export interface InfobipError {
  readonly groupId: number;
  readonly groupName: string;
  readonly id: number;
  readonly name: string;
  readonly description?: string;
  readonly permanent?: boolean;
}

export interface InfobipDestination {
  readonly to: string;
  readonly messageId?: string;
}

export interface InfobipMessage {
  readonly sender?: string;
  readonly destinations: readonly InfobipDestination[];
  readonly content: { readonly text: string };
  /**
   * `validityPeriod`: how long Infobip may try to deliver (v3 `options`, the SDK's ValidityPeriod: `amount` and
   * `timeUnit` SECONDS, MINUTES or HOURS; Infobip documents 48 hours as the longest and shortens a longer one).
   */
  readonly options?: {
    readonly validityPeriod?: { readonly amount: number; readonly timeUnit: 'SECONDS' | 'MINUTES' | 'HOURS' };
  };
  readonly webhooks?: {
    readonly delivery?: { readonly url?: string; readonly intermediateReport?: boolean; readonly notify?: boolean };
    readonly contentType?: string;
    readonly callbackData?: string;
  };
}

export interface InfobipSendRequest {
  readonly messages: readonly InfobipMessage[];
}

export interface InfobipSendResponse {
  readonly bulkId?: string;
  readonly messages: readonly {
    readonly messageId: string;
    readonly status: InfobipStatus;
    readonly destination: string;
    readonly details?: { readonly messageCount?: number };
  }[];
}

/** One delivery report (v3 item: `sender`, `messageCount`; a v2 item has `from`, `smsCount`). */
export interface InfobipReport {
  readonly bulkId?: string;
  readonly messageId: string;
  readonly to: string;
  readonly sender?: string;
  readonly from?: string;
  readonly sentAt?: string;
  readonly doneAt?: string;
  readonly messageCount?: number;
  readonly smsCount?: number;
  readonly mccMnc?: string | null;
  readonly callbackData?: string | null;
  readonly price?: { readonly pricePerMessage: number; readonly currency: string };
  readonly status: InfobipStatus;
  readonly error?: InfobipError;
  readonly platform?: { readonly entityId?: string | null; readonly applicationId?: string | null };
  readonly campaignReferenceId?: string | null;
}

/** One entry of `GET /sms/3/logs`. */
export interface InfobipLog {
  readonly messageId: string;
  readonly destination: string;
  readonly sender?: string;
  readonly bulkId?: string;
  readonly sentAt?: string;
  readonly doneAt?: string;
  readonly messageCount?: number;
  readonly status: InfobipStatus;
  readonly error?: InfobipError;
  readonly content?: { readonly text?: string };
}

/** The v3 error body; 400 adds `violations`. */
export interface InfobipApiError {
  readonly errorCode: string;
  readonly description: string;
  readonly action?: string;
  readonly violations?: readonly { readonly property: string; readonly violation: string }[];
  readonly resources?: readonly { readonly name: string; readonly url: string }[];
}

/** Documented statuses, by name, as the simulator sends them and the tests name them. */
export const INFOBIP_STATUSES = {
  PENDING_WAITING_DELIVERY: { groupId: 1, groupName: 'PENDING', id: 3, name: 'PENDING_WAITING_DELIVERY' },
  PENDING_ENROUTE: { groupId: 1, groupName: 'PENDING', id: 7, name: 'PENDING_ENROUTE' },
  PENDING_ACCEPTED: { groupId: 1, groupName: 'PENDING', id: 26, name: 'PENDING_ACCEPTED' },
  UNDELIVERABLE_REJECTED_OPERATOR: {
    groupId: 2,
    groupName: 'UNDELIVERABLE',
    id: 4,
    name: 'UNDELIVERABLE_REJECTED_OPERATOR',
  },
  UNDELIVERABLE_NOT_DELIVERED: { groupId: 2, groupName: 'UNDELIVERABLE', id: 9, name: 'UNDELIVERABLE_NOT_DELIVERED' },
  DELIVERED_TO_OPERATOR: { groupId: 3, groupName: 'DELIVERED', id: 2, name: 'DELIVERED_TO_OPERATOR' },
  DELIVERED_TO_HANDSET: { groupId: 3, groupName: 'DELIVERED', id: 5, name: 'DELIVERED_TO_HANDSET' },
  EXPIRED_EXPIRED: { groupId: 4, groupName: 'EXPIRED', id: 15, name: 'EXPIRED_EXPIRED' },
  EXPIRED_DLR_UNKNOWN: { groupId: 4, groupName: 'EXPIRED', id: 29, name: 'EXPIRED_DLR_UNKNOWN' },
  REJECTED_NETWORK: { groupId: 5, groupName: 'REJECTED', id: 6, name: 'REJECTED_NETWORK' },
  REJECTED_NOT_ENOUGH_CREDITS: { groupId: 5, groupName: 'REJECTED', id: 12, name: 'REJECTED_NOT_ENOUGH_CREDITS' },
  REJECTED_DESTINATION: { groupId: 5, groupName: 'REJECTED', id: 52, name: 'REJECTED_DESTINATION' },
} as const satisfies Record<string, InfobipStatus>;

export type InfobipStatusName = keyof typeof INFOBIP_STATUSES;

/**
 * Every documented status and what it means for us; null: not final, ignored. DELIVERED_TO_OPERATOR is documented as
 * intermediate (the handset's report follows), so it does not end a message.
 */
export const INFOBIP_REPORT_STATUS: Readonly<Record<InfobipStatusName, ReportStatus | null>> = {
  PENDING_WAITING_DELIVERY: null,
  PENDING_ENROUTE: null,
  PENDING_ACCEPTED: null,
  UNDELIVERABLE_REJECTED_OPERATOR: 'undelivered',
  UNDELIVERABLE_NOT_DELIVERED: 'undelivered',
  DELIVERED_TO_OPERATOR: null,
  DELIVERED_TO_HANDSET: 'delivered',
  EXPIRED_EXPIRED: 'expired',
  EXPIRED_DLR_UNKNOWN: 'expired',
  REJECTED_NETWORK: 'rejected',
  REJECTED_NOT_ENOUGH_CREDITS: 'rejected',
  REJECTED_DESTINATION: 'rejected',
};

/** Status groups, for statuses beyond the documented list: the group decides. ACCEPTED is in the clients' enum. */
export const INFOBIP_GROUP_REPORT_STATUS: Readonly<Record<string, ReportStatus | null>> = {
  ACCEPTED: null,
  PENDING: null,
  UNDELIVERABLE: 'undelivered',
  DELIVERED: 'delivered',
  EXPIRED: 'expired',
  REJECTED: 'rejected',
};

const GROUP_NAMES_BY_ID: Readonly<Record<number, string>> = {
  0: 'ACCEPTED',
  1: 'PENDING',
  2: 'UNDELIVERABLE',
  3: 'DELIVERED',
  4: 'EXPIRED',
  5: 'REJECTED',
};

/** The group of a status, by name, or by id when the name is missing. */
export function infobipGroupOf(status: Pick<InfobipStatus, 'groupId' | 'groupName'>): string | undefined {
  return typeof status.groupName === 'string' && status.groupName !== ''
    ? status.groupName
    : GROUP_NAMES_BY_ID[status.groupId];
}

/** Our status for an Infobip status; null when it is not final (or not known at all). */
export function infobipReportStatus(
  status: Pick<InfobipStatus, 'groupId' | 'groupName' | 'name'>,
): ReportStatus | null {
  if (Object.hasOwn(INFOBIP_REPORT_STATUS, status.name)) {
    return INFOBIP_REPORT_STATUS[status.name as InfobipStatusName];
  }
  const group = infobipGroupOf(status);
  return group !== undefined && Object.hasOwn(INFOBIP_GROUP_REPORT_STATUS, group)
    ? (INFOBIP_GROUP_REPORT_STATUS[group] ?? null)
    : null;
}

/** Infobip's dates, `yyyy-MM-dd'T'HH:mm:ss.SSSZ` ("2025-03-01T10:00:04.000+0000"), as microseconds; null otherwise. */
export function infobipTimeUs(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):?(\d{2}))$/.exec(
    text,
  );
  if (!match) return null;
  const [, y, mo, d, h, mi, s, ms, zone, sign, zh, zm] = match;
  let utcMs = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number((ms ?? '0').padEnd(3, '0')),
  );
  if (zone !== 'Z') utcMs -= (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm)) * 60_000;
  return Number.isFinite(utcMs) ? utcMs * 1000 : null;
}

/** A date as Infobip writes it, in UTC. */
export function infobipTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
