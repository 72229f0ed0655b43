import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from './signature.js';

/**
 * Vectors from Twilio, not from this code: the request validator tests of Twilio's own Python
 * library (github.com/twilio/twilio-python, tests/unit/test_request_validator.py), auth token
 * `12345`. A signature computed wrongly but consistently would pass every test that only signs
 * and checks with our own functions; these catch it.
 */
const AUTH_TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
  Caller: '+14158675309',
};

describe("Twilio's X-Twilio-Signature, against Twilio's published vectors", () => {
  it('signs the URL and the sorted form as Twilio does', () => {
    expect(twilioSignature(AUTH_TOKEN, URL, PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(verifyTwilioSignature(AUTH_TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL, PARAMS)).toBe(true);
  });

  it('signs a repeated parameter name once per value, values sorted', () => {
    const params = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234'] };
    expect(twilioSignature(AUTH_TOKEN, URL, params)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('accepts a signature whatever the spelling of the port', () => {
    // Signed without a port, checked against a URL that names one.
    expect(
      verifyTwilioSignature(AUTH_TOKEN, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL.replace('.com', '.com:1234'), PARAMS),
    ).toBe(true);
    // Signed with the default port spelt out (:443, :80), checked without it.
    expect(verifyTwilioSignature(AUTH_TOKEN, 'kvajT1Ptam85bY51eRf/AJRuM3w=', URL, PARAMS)).toBe(true);
    expect(
      verifyTwilioSignature(AUTH_TOKEN, '0ZXoZLH/DfblKGATFgpif+LLRf4=', URL.replace('https', 'http'), PARAMS),
    ).toBe(true);
    // Signed with a non-default port, checked with it.
    const http1234 = URL.replace('.com', '.com:1234').replace('https', 'http');
    expect(verifyTwilioSignature(AUTH_TOKEN, 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=', http1234, PARAMS)).toBe(true);
  });

  it('refuses the vector with a changed value, URL or token', () => {
    const signature = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(verifyTwilioSignature(AUTH_TOKEN, signature, URL, { ...PARAMS, Digits: '9999' })).toBe(false);
    expect(verifyTwilioSignature(AUTH_TOKEN, signature, URL.replace('foo=1', 'foo=2'), PARAMS)).toBe(false);
    expect(verifyTwilioSignature('12346', signature, URL, PARAMS)).toBe(false);
    expect(verifyTwilioSignature(AUTH_TOKEN, undefined, URL, PARAMS)).toBe(false);
  });
});
