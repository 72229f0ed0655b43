import { DAY, int } from './config-kind.js';
import type { ConfigEntry } from './schema.js';

/**
 * The budgets against SMS pumping and code guessing (per number, per requester, per network, per
 * client), part of the one configuration schema (`schema.ts`) and listed there in this order.
 */
export const sendLimitSchema = {
  phoneSendLimit: {
    env: 'PHONE_SEND_LIMIT',
    kind: int(1, 10_000),
    default: '5',
    // The demo and the README walkthrough send to one sample number, several times over.
    developmentDefault: '50',
    unit: 'messages',
    description: 'Messages one phone number may receive per window, across all flows and clients.',
  },
  phoneSendWindowSeconds: {
    env: 'PHONE_SEND_WINDOW_SECONDS',
    kind: int(1, DAY),
    default: '600',
    unit: 'seconds',
    description: 'Window of `PHONE_SEND_LIMIT` (sliding: any span of this length, not clock-aligned blocks).',
  },
  phoneFailedCodeLimit: {
    env: 'PHONE_FAILED_CODE_LIMIT',
    kind: int(1, 10_000),
    default: '10',
    unit: 'codes',
    description:
      "Wrong codes one requester may enter for one phone number per window, across all flows. Each flow allows only a few entries, but an attacker can start many flows for one number; with 4-digit codes this keeps one requester's odds of a right guess to about 1 in 1,000 a window. The requester is the network of the `ipAddress` the integrator passed (an IPv4 address, or an IPv6 /64); without one, the client; a device key already bound to the number counts as a requester of its own. When it is reached, that requester's entries and sends for the number pause until the window has room (the refusal says when); the number's owner, from another network or with a bound key, is not held back.",
  },
  phoneFailedCodeCeiling: {
    env: 'PHONE_FAILED_CODE_CEILING',
    kind: int(1, 1_000_000),
    default: '100',
    unit: 'codes',
    description:
      "Wrong codes one phone number may take per window from all requesters together (a device key bound to the number is not held back by it): the last line against guessing spread over many networks. With 4-digit codes it keeps the odds of a right guess to about 1 in 100 a window. Kept well above `PHONE_FAILED_CODE_LIMIT`, so that locking a number's owner out takes many networks; lower it, or send longer codes, to trade that for smaller odds.",
  },
  phoneFailedCodeWindowSeconds: {
    env: 'PHONE_FAILED_CODE_WINDOW_SECONDS',
    kind: int(1, DAY),
    default: '86400',
    unit: 'seconds',
    description: 'Window of `PHONE_FAILED_CODE_LIMIT` and `PHONE_FAILED_CODE_CEILING` (sliding).',
  },
  ipSendLimit: {
    env: 'IP_SEND_LIMIT',
    kind: int(0, 1_000_000),
    default: '30',
    unit: 'messages',
    description:
      'Messages sent per window for flows started with the same `ipAddress` (an IPv4 address, or an IPv6 /64), across numbers and clients: SMS pumping sends to many numbers from few sources. Applies only to flows whose integrator passed `ipAddress`. Mobile carriers put many users behind one IPv4 address: raise it if yours sign up from phones on such networks. `0` turns it off.',
  },
  ipSendWindowSeconds: {
    env: 'IP_SEND_WINDOW_SECONDS',
    kind: int(1, DAY),
    default: '3600',
    unit: 'seconds',
    description: 'Window of `IP_SEND_LIMIT` (sliding).',
  },
  clientSendLimit: {
    env: 'CLIENT_SEND_LIMIT',
    // Bounded so that the sliding window's arithmetic (counts × window in ms) stays exact in a double.
    kind: int(0, 10_000_000),
    default: '0',
    unit: 'messages',
    description:
      "Messages one API client's flows may send per window, in all: a ceiling on what an attack through one integration can cost. Set it a few times above your busiest hour. `0` (the default) sets no ceiling.",
  },
  clientSendWindowSeconds: {
    env: 'CLIENT_SEND_WINDOW_SECONDS',
    kind: int(1, DAY),
    default: '3600',
    unit: 'seconds',
    description: 'Window of `CLIENT_SEND_LIMIT` (sliding).',
  },
} satisfies Record<string, ConfigEntry>;
