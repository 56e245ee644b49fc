// How a pretend network fares by destination, for the sandbox and the upstream simulators: the share of messages it
// delivers and how long its reports take, per MCC or MCC/MNC. Read from CSV:
//
//   mcc,mnc,delivered_percent,report_delay_ms
//   247,,95,
//   247,01,80,2500
//
// A row with an empty MNC covers the whole country; an MCC/MNC row wins over it. `report_delay_ms` is optional (empty:
// the provider's own delay). Destinations without a row are always delivered. Whether a given message is delivered is
// a pure function of its key (the provider's id for it), so every process answers the same, and a ratio of 80 %
// delivers 80 % of a large enough sending.

/** What the network does with one message. */
export interface DeliveryOutcome {
  readonly delivered: boolean;
  /** The report's delay for this destination; null: the provider's own. */
  readonly reportDelayMs: number | null;
  /** The ratio that decided it, for the error text: e.g. "247/01: 80% delivered". */
  readonly rule: string | null;
}

export interface DeliveryProfile {
  /** The outcome for a message to `destination` (null: not resolved), decided by `key`. */
  outcome(
    destination: { readonly mcc: string | null; readonly mnc: string | null } | null,
    key: string,
  ): DeliveryOutcome;
  readonly rows: number;
}

interface Row {
  readonly deliveredBasisPoints: number;
  readonly reportDelayMs: number | null;
  readonly label: string;
}

export type ProfileParse =
  | { readonly ok: true; readonly profile: DeliveryProfile }
  | { readonly ok: false; readonly errors: readonly string[] };

const HEADER = ['mcc', 'mnc', 'delivered_percent', 'report_delay_ms'];
const BASIS_POINTS = 10_000;
const REPORT_DELAY_MS_MAX = 24 * 60 * 60 * 1000;
const ALWAYS: DeliveryOutcome = { delivered: true, reportDelayMs: null, rule: null };

/** FNV-1a, 32 bits: spreads keys that differ in their last digits evenly. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function percentToBasisPoints(text: string): number | null {
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) return null;
  const [whole = '0', fraction = ''] = text.split('.');
  const points = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return points <= BASIS_POINTS ? points : null;
}

export function parseDeliveryProfileCsv(text: string): ProfileParse {
  const lines = text.split(/\r?\n/);
  const errors: string[] = [];
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim().toLowerCase());
  const hasDelay = header.length === 4;
  if (header.slice(0, 3).join(',') !== HEADER.slice(0, 3).join(',') || (hasDelay && header[3] !== HEADER[3])) {
    return { ok: false, errors: [`line 1: the header must be "${HEADER.join(',')}" (the last column is optional)`] };
  }
  const rows = new Map<string, Row>();
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map((cell) => cell.trim());
    const at = `line ${i + 1}`;
    if (cells.length !== header.length) {
      errors.push(`${at}: ${header.length} columns expected, got ${cells.length}`);
      continue;
    }
    const [mcc = '', mnc = '', percent = '', delay = ''] = cells;
    const before = errors.length;
    if (!/^\d{3}$/.test(mcc)) errors.push(`${at}: MCC must be 3 digits, got "${mcc}"`);
    if (mnc !== '' && !/^\d{2,3}$/.test(mnc)) errors.push(`${at}: MNC must be 2 or 3 digits or empty, got "${mnc}"`);
    const points = percentToBasisPoints(percent);
    if (points === null)
      errors.push(`${at}: delivered_percent must be 0 to 100 (2 decimals at most), got "${percent}"`);
    let reportDelayMs: number | null = null;
    if (delay !== '') {
      reportDelayMs = /^\d+$/.test(delay) ? Number(delay) : Number.NaN;
      if (!(reportDelayMs <= REPORT_DELAY_MS_MAX)) {
        errors.push(`${at}: report_delay_ms must be a whole number of ms up to ${REPORT_DELAY_MS_MAX}, got "${delay}"`);
      }
    }
    const key = `${mcc}/${mnc}`;
    if (rows.has(key)) errors.push(`${at}: ${mnc === '' ? `MCC ${mcc}` : `MCC/MNC ${key}`} is listed twice`);
    if (points !== null && errors.length === before) {
      const label = `${mnc === '' ? mcc : key}: ${percent}% delivered`;
      rows.set(key, { deliveredBasisPoints: points, reportDelayMs, label });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    profile: {
      rows: rows.size,
      outcome(destination, key) {
        if (destination?.mcc == null) return ALWAYS;
        const row =
          (destination.mnc != null ? rows.get(`${destination.mcc}/${destination.mnc}`) : undefined) ??
          rows.get(`${destination.mcc}/`);
        if (row === undefined) return ALWAYS;
        return {
          delivered: hash(key) % BASIS_POINTS < row.deliveredBasisPoints,
          reportDelayMs: row.reportDelayMs,
          rule: row.label,
        };
      },
    },
  };
}

/** A profile and the numbering plan's answer for a number: what the sandbox and the simulators are given. */
export interface DeliveryByDestination {
  readonly profile: DeliveryProfile;
  /** The number's MCC and MNC (international digits), null when unknown. */
  readonly destinationOf: (digits: string) => { readonly mcc: string | null; readonly mnc: string | null } | null;
}

/** The profile's outcome for a number, decided by `key`; always delivered without a profile. */
export function deliveryOutcome(
  delivery: DeliveryByDestination | undefined,
  digits: string,
  key: string,
): DeliveryOutcome {
  return delivery === undefined ? ALWAYS : delivery.profile.outcome(delivery.destinationOf(digits), key);
}
