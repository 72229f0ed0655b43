import smpp from 'smpp';
import type { DeliveryReceipt } from '../../../storage/records.js';
import { type SmsErrorKind, SmsProviderError } from '../../provider.js';

/** The SMPP 3.4 fields Pocketproof writes and reads: addresses, encoding, statuses, receipts. */

export function sourceAddress(addr: string) {
  return /^\+?\d+$/.test(addr)
    ? { source_addr: addr.replace(/^\+/, ''), source_addr_ton: 1, source_addr_npi: 1 }
    : { source_addr: addr, source_addr_ton: 5, source_addr_npi: 0 };
}

export const destination = (to: string) => ({
  destination_addr: to.replace(/^\+/, ''),
  dest_addr_ton: 1,
  dest_addr_npi: 1,
});

/** GSM 7-bit when the text allows (data_coding 0), else UCS-2; past one SMS, as message_payload. */
export function payload(body: string) {
  const gsm = smpp.encodings.ASCII.match(body);
  const encoded = gsm ? smpp.encodings.ASCII.encode(body) : smpp.encodings.UCS2.encode(body);
  const dataCoding = gsm ? 0x00 : 0x08;
  return encoded.length <= (gsm ? 160 : 140)
    ? { data_coding: dataCoding, short_message: encoded }
    : { data_coding: dataCoding, message_payload: encoded };
}

const SMPP_STATUSES: Record<number, [SmsErrorKind, boolean, string]> = {
  1: ['rejected', false, 'ESME_RINVMSGLEN'],
  4: ['network', true, 'ESME_RINVBNDSTS'],
  8: ['unexpected', true, 'ESME_RSYSERR'],
  10: ['invalid_config', false, 'ESME_RINVSRCADR'],
  11: ['rejected', false, 'ESME_RINVDSTADR'],
  13: ['network', true, 'ESME_RBINDFAIL'],
  14: ['invalid_config', false, 'ESME_RINVPASWD'],
  15: ['invalid_config', false, 'ESME_RINVSYSID'],
  20: ['rate_limited', true, 'ESME_RMSGQFUL'],
  69: ['unexpected', true, 'ESME_RSUBMITFAIL'],
  88: ['rate_limited', true, 'ESME_RTHROTTLED'],
  100: ['unexpected', true, 'ESME_RX_T_APPN'],
  101: ['rejected', false, 'ESME_RX_P_APPN'],
  102: ['rejected', false, 'ESME_RX_R_APPN'],
};

export function submitError(status: number): SmsProviderError {
  const hex = `0x${status.toString(16).padStart(8, '0')}`;
  const [kind, retryable, name] = SMPP_STATUSES[status] ?? ['unexpected', true, 'unknown status'];
  return new SmsProviderError(kind, `${name} (${hex})`, retryable, hex);
}

/** SMPP message_state (TLV) and the `stat:` word of the receipt text, as delivery statuses. */
const STATES: Record<string, DeliveryReceipt['status'] | undefined> = {
  2: 'delivered',
  3: 'undelivered',
  4: 'undelivered',
  5: 'undelivered',
  6: 'sent',
  8: 'failed',
  DELIVRD: 'delivered',
  EXPIRED: 'undelivered',
  DELETED: 'undelivered',
  UNDELIV: 'undelivered',
  ACCEPTD: 'sent',
  ENROUTE: 'sent',
  REJECTD: 'failed',
};

/**
 * A deliver_sm that is a delivery receipt (esm_class bit 2), read from the receipted_message_id and
 * message_state TLVs when present, else from the conventional text `id:… stat:… err:…`.
 */
export function readSmppReceipt(pdu: smpp.PDU, at: number): DeliveryReceipt | undefined {
  if (!(Number(pdu.esm_class) & 0x04)) return undefined;
  const message = pdu.short_message?.message;
  const text = typeof message === 'string' ? message : Buffer.isBuffer(message) ? message.toString('latin1') : '';
  const id = pdu.receipted_message_id ?? /\bid:(\S+)/i.exec(text)?.[1];
  const state = pdu.message_state ?? /\bstat:(\S+)/i.exec(text)?.[1]?.toUpperCase();
  const status = state === undefined ? undefined : STATES[String(state)];
  if (!id || !status) return undefined;
  const err = /\berr:(\S+)/i.exec(text)?.[1];
  return {
    provider: 'smpp',
    providerMessageId: String(id),
    status,
    error: err && !/^0+$/.test(err) && status !== 'delivered' ? err : null,
    at,
  };
}
