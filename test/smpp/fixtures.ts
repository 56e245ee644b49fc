// Shared pieces of the SMPP tests: a seeded PRNG, PDU builders, and waiting for a condition on real sockets.
import type { ShortMessageFields, SubmitSmPdu } from '../../src/dispatch/providers/smpp/pdu.js';

/** mulberry32: the same sequence on every run, so a failing fuzz case can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shortMessageFields(overrides: Partial<ShortMessageFields> = {}): ShortMessageFields {
  return {
    serviceType: '',
    sourceAddrTon: 5,
    sourceAddrNpi: 0,
    sourceAddr: 'Acme',
    destAddrTon: 1,
    destAddrNpi: 1,
    destinationAddr: '37250000001',
    esmClass: 0,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 1,
    replaceIfPresentFlag: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: Buffer.from('hello', 'latin1'),
    tlvs: {},
    ...overrides,
  };
}

export function submitSm(sequence: number, overrides: Partial<ShortMessageFields> = {}): SubmitSmPdu {
  return { command: 'submit_sm', status: 0, sequence, ...shortMessageFields(overrides) };
}

/** Polls `condition` every few ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function hex(octets: Uint8Array): string {
  return Buffer.from(octets).toString('hex');
}
