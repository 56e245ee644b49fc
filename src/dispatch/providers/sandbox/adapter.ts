// The built-in sandbox provider: always configured, the default route without a real provider; scripted by number.
//
// What the sandbox does with a message, by the last four digits of the recipient:
//
// | Recipient ends with | At submission                                   | Delivery report (by poll) | Money    |
// | ------------------- | ----------------------------------------------- | ------------------------- | -------- |
// | 0001                | accepted                                        | undelivered               | charged  |
// | 0002                | accepted                                        | expired                   | charged  |
// | 0003                | accepted                                        | rejected (by the network) | charged  |
// | 0004                | refused (not retryable): message `rejected`     | none                      | refunded |
// | 0005                | first attempt refused as retryable, then accepted | delivered               | charged  |
// | 0006                | accepted                                        | delivered, then "STOP" back | charged |
// | 0007                | accepted                                        | delivered, then "Hello" back | charged |
// | anything else       | accepted                                        | delivered                 | charged  |
//
// With a delivery profile (SANDBOX_DELIVERY_FILE, see delivery-profile.ts), the numbers that end otherwise are
// delivered at the ratio, and reported after the delay, that the profile gives their destination; the scripted endings
// above keep their outcomes.
//
// A reply (0006, 0007) comes from the recipient to the sending's sender a moment after the delivery report, through
// `onReply`, under the id `<sandbox id>-reply` (so a poll asked again hands over the same reply, stored once).
//
// A report becomes available `reportDelayMs` after acceptance (default 1 s; 0 in tests and benchmarks), and is a pure
// function of the number and the acceptance time (which the sandbox's message id carries), so every worker process
// answers the same. Submission is idempotent on our reference through the upstream port.
import type { ClockUs } from '../../../domain/time.js';
import { US_PER_MS } from '../../../domain/time.js';
import type {
  DeliveryReport,
  OutgoingMessage,
  ProviderAdapter,
  RecheckResult,
  SubmitResult,
  SubmittedMessage,
} from '../../provider.js';
import { type DeliveryByDestination, deliveryOutcome } from '../delivery-profile.js';
import type { SandboxUpstream } from './upstream.js';

export const SANDBOX_PROVIDER = 'sandbox';
export const SANDBOX_REPORT_DELAY_MS = 1_000;
/** Messages one submit takes: the sandbox is a function call, so as many as a lease holds. */
export const SANDBOX_SUBMIT_BATCH_MAX = 10_000;

export const SANDBOX_ERRORS = {
  refused: 'sandbox: number refused at submission (0004)',
  unavailable: 'sandbox: temporarily unavailable (0005, first attempt)',
  undelivered: 'sandbox: handset unreachable (0001)',
  expired: 'sandbox: validity period expired (0002)',
  rejected: 'sandbox: rejected by the network (0003)',
  /** Not delivered by the delivery profile's ratio for the destination. */
  profile: 'sandbox: not delivered',
} as const;

/** The handset's answer to a delivered message (0006: STOP, 0007: Hello). */
export interface SandboxReply {
  /** The reply's own id: `<the delivered message's sandbox id>-reply`. */
  readonly providerMessageId: string;
  /** The sandbox id of the message it answers: whose sender it goes to. */
  readonly inReplyTo: string;
  /** The recipient of that message. */
  readonly from: string;
  readonly text: string;
  readonly receivedAtUs: number;
}

/** The texts the scripted handsets send back once a message to them is delivered. */
export const SANDBOX_REPLIES: Readonly<Record<string, string>> = { '0006': 'STOP', '0007': 'Hello' };
/** How long after its delivery report a scripted reply arrives. */
const SANDBOX_REPLY_AFTER_US = 1_000;

export interface SandboxOptions {
  readonly upstream: SandboxUpstream;
  readonly clockUs: ClockUs;
  readonly reportDelayMs?: number;
  /** Where scripted replies go (the inbound service); absent: the handsets stay silent. */
  readonly onReply?: (reply: SandboxReply) => Promise<void>;
  /** Delivery ratios and report delays by destination; absent: every unscripted number is delivered. */
  readonly delivery?: SandboxDelivery;
}

export type SandboxDelivery = DeliveryByDestination;

/** The sandbox's id: its acceptance time and our reference, so a report is derived from the id alone. */
function sandboxId(acceptedAtUs: number, reference: string): string {
  return `sbx-${acceptedAtUs}-${reference}`;
}

function acceptedAtOf(providerMessageId: string): number | null {
  const match = /^sbx-(\d+)-/.exec(providerMessageId);
  return match ? Number(match[1]) : null;
}

function suffixOf(recipient: string): string {
  return recipient.slice(-4);
}

/** The report the network gives a number the sandbox accepted. */
export function sandboxReportFor(recipient: string): Pick<DeliveryReport, 'status' | 'error'> {
  switch (suffixOf(recipient)) {
    case '0001':
      return { status: 'undelivered', error: SANDBOX_ERRORS.undelivered };
    case '0002':
      return { status: 'expired', error: SANDBOX_ERRORS.expired };
    case '0003':
      return { status: 'rejected', error: SANDBOX_ERRORS.rejected };
    default:
      return { status: 'delivered', error: null };
  }
}

/** The report of an accepted message and when it comes, with the profile's say for the numbers not scripted. */
function reportOf(
  message: SubmittedMessage,
  delivery: SandboxDelivery | undefined,
): Pick<DeliveryReport, 'status' | 'error'> & { readonly delayMs: number | null } {
  const scripted = sandboxReportFor(message.recipient);
  if (delivery === undefined || scripted.status !== 'delivered' || SANDBOX_REPLIES[suffixOf(message.recipient)]) {
    return { ...scripted, delayMs: null };
  }
  const outcome = deliveryOutcome(delivery, message.recipient, message.providerMessageId);
  if (outcome.delivered) return { ...scripted, delayMs: outcome.reportDelayMs };
  return {
    status: 'undelivered',
    error: `${SANDBOX_ERRORS.profile} (${outcome.rule})`,
    delayMs: outcome.reportDelayMs,
  };
}

export function createSandboxProvider(options: SandboxOptions): ProviderAdapter {
  const reportDelayUs = (options.reportDelayMs ?? SANDBOX_REPORT_DELAY_MS) * US_PER_MS;
  const { upstream, clockUs, delivery } = options;
  return {
    name: SANDBOX_PROVIDER,
    submitBatchMax: SANDBOX_SUBMIT_BATCH_MAX,
    pollIntervalMs: Math.max(options.reportDelayMs ?? SANDBOX_REPORT_DELAY_MS, 0),

    async submit(batch: readonly OutgoingMessage[]): Promise<readonly SubmitResult[]> {
      const results = new Array<SubmitResult | undefined>(batch.length);
      const acceptedAtUs = clockUs();
      const taken: { index: number; reference: string }[] = [];
      const handOvers = [];
      for (let i = 0; i < batch.length; i++) {
        const message = batch[i] as OutgoingMessage;
        const suffix = suffixOf(message.recipient);
        if (suffix === '0004') {
          results[i] = { failed: true, retryable: false, error: SANDBOX_ERRORS.refused };
        } else if (suffix === '0005' && message.attempt === 1) {
          results[i] = { failed: true, retryable: true, error: SANDBOX_ERRORS.unavailable };
        } else {
          taken.push({ index: i, reference: message.reference });
          handOvers.push({
            reference: message.reference,
            providerMessageId: sandboxId(acceptedAtUs, message.reference),
            recipient: message.recipient,
            acceptedAtUs,
          });
        }
      }
      const records = await upstream.accept(handOvers);
      for (const { index, reference } of taken) {
        const record = records.get(reference);
        if (!record) throw new Error(`sandbox upstream lost reference ${reference}`);
        results[index] = { accepted: record.providerMessageId };
      }
      return results.map((r) => {
        if (!r) throw new Error('sandbox left a message without a result');
        return r;
      });
    },

    async recheck(references: readonly string[]): Promise<readonly RecheckResult[]> {
      const records = await upstream.find(references);
      return references.map((reference): RecheckResult => {
        const record = records.get(reference);
        if (record) return { found: record.providerMessageId };
        return upstream.knowsEveryHandOver ? { absent: true } : { unknown: true };
      });
    },

    async poll(submitted: readonly SubmittedMessage[]): Promise<readonly DeliveryReport[]> {
      const nowUs = clockUs();
      const reports: DeliveryReport[] = [];
      for (const message of submitted) {
        const acceptedAtUs = acceptedAtOf(message.providerMessageId);
        if (acceptedAtUs === null) continue;
        const { delayMs, ...report } = reportOf(message, delivery);
        const reportedAtUs = acceptedAtUs + (delayMs === null ? reportDelayUs : delayMs * US_PER_MS);
        if (reportedAtUs > nowUs) continue;
        reports.push({ providerMessageId: message.providerMessageId, reportedAtUs, ...report });
        const replyText = SANDBOX_REPLIES[suffixOf(message.recipient)];
        if (replyText !== undefined && report.status === 'delivered' && options.onReply) {
          // Handed over before the report is returned: a failure leaves the report unapplied, so the next poll hands
          // the same reply over again (stored once) rather than losing it.
          await options.onReply({
            providerMessageId: `${message.providerMessageId}-reply`,
            inReplyTo: message.providerMessageId,
            from: message.recipient,
            text: replyText,
            receivedAtUs: Math.max(nowUs, reportedAtUs + SANDBOX_REPLY_AFTER_US),
          });
        }
      }
      return reports;
    },
  };
}
