// Shared pieces of the SMPP tests: PDU builders and hex dumps.
import type { ShortMessageFields, SubmitSmPdu } from '../../src/dispatch/providers/smpp/pdu.js';

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

export function hex(octets: Uint8Array): string {
  return Buffer.from(octets).toString('hex');
}
