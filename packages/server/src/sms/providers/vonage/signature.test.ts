import { describe, expect, it } from 'vitest';
import { type VonageSignatureMethod, verifyVonageSignature, vonageSignature } from './signature.js';

/**
 * Vectors from Vonage, not from this code: the signature tests of Vonage's own Ruby library
 * (github.com/Vonage/vonage-ruby-sdk, test/vonage/signature_test.rb), one per signature method
 * the dashboard offers, over an inbound-message webhook's parameters.
 */
const SECRET = 'my_secret_key_for_testing';
const PARAMS = {
  'message-timestamp': '2013-11-21 15:27:30',
  messageId: '020000001B0FE827',
  msisdn: '14843472194',
  text: 'Test again',
  timestamp: '1385047698',
  to: '13239877404',
  type: 'text',
};
const VECTORS: [VonageSignatureMethod, string][] = [
  ['md5hash', 'd2e7b1dc968737c5998ad624e02f90b7'],
  ['md5', 'DDEBD46008C2D4E93CCE578A332A52D5'],
  ['sha1', '27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A'],
  ['sha256', 'DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330'],
  [
    'sha512',
    'E0D3C650F8C9D1A5C174D10DDDBFB003E561F59B265616208B0487C5D819481CD3C311D59CF6165ECD1139622D5BA3A256C0D763AC4A9AD9144B5A426B94FE82',
  ],
];

describe("Vonage's signed-webhook sig, against Vonage's published vectors", () => {
  it.each(VECTORS)('%s: computes the published sig and accepts it (hex case does not matter)', (method, sig) => {
    expect(vonageSignature(SECRET, method, PARAMS).toLowerCase()).toBe(sig.toLowerCase());
    expect(verifyVonageSignature(SECRET, method, { ...PARAMS, sig })).toBe(true);
  });

  it.each(VECTORS)('%s: refuses the published sig over changed parameters or another secret', (method, sig) => {
    expect(verifyVonageSignature(SECRET, method, { ...PARAMS, text: 'Test again!', sig })).toBe(false);
    expect(verifyVonageSignature('another_secret', method, { ...PARAMS, sig })).toBe(false);
    expect(verifyVonageSignature(SECRET, method, { ...PARAMS, sig: 'xxx' })).toBe(false);
  });

  it('replaces & and = inside values with _ before signing (md5hash)', () => {
    for (const k of ['_', '&', '=']) {
      expect(verifyVonageSignature(SECRET, 'md5hash', { k, sig: 'c3d6a686ab9c7e7408bb1c0506e9629a' }), k).toBe(true);
    }
  });
});
