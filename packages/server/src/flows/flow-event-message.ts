import { randomUUID } from 'node:crypto';

/**
 * What a cross-node bus sends: the publishing node's random id and the flow id, nothing else (no
 * phone number, code or token ever crosses the bus). The node id lets a bus skip its own echo, since
 * it has already told its local subscribers directly, without waiting on the round trip.
 */
export interface FlowEventMessage {
  origin: string;
  flowId: string;
}

export function newBusOrigin(): string {
  return randomUUID();
}

export function encodeFlowEvent(message: FlowEventMessage): string {
  return `${message.origin}:${message.flowId}`;
}

/** Undefined for anything this format did not produce. */
export function decodeFlowEvent(text: string): FlowEventMessage | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { origin: text.slice(0, colon), flowId: text.slice(colon + 1) };
}
