import { describe, expect, it } from 'vitest';
import { deviceError, endWithError, prompt } from '../flows/envelope.js';
import { AppError, invalidField } from './app-error.js';
import { apiErrors, deviceErrors, promptCodes } from './catalogue.js';

const wireCodes = (family: Record<string, { code: number }>) =>
  Object.fromEntries(Object.entries(family).map(([name, entry]) => [name, entry.code]));

describe('the error catalogue', () => {
  // These numbers are the wire contract (contract.md §1.6 and the device protocol's code table):
  // renaming a code is free, renumbering one breaks every integration.
  it('keeps the server API numbers of the contract', () => {
    expect(wireCodes(apiErrors)).toEqual({
      INTERNAL_ERROR: 8000,
      INVALID_FIELD: 8001,
      INVALID_CREDENTIALS: 8002,
      STEP_NOT_ALLOWED: 8003,
      NO_TEST_USER: 8007,
      INVALID_CORRELATION_ID: 8008,
      TEST_USER_NOT_AVAILABLE: 8009,
      NOT_FOUND: 8011,
      RATE_LIMITED: 9001,
      SMS_UNAVAILABLE: 9002,
      DATABASE_UNAVAILABLE: 9003,
      SHUTTING_DOWN: 9004,
      NO_NODE_ANSWERED: 9005,
    });
  });

  it('keeps the device protocol numbers the browser SDK knows', () => {
    expect(wireCodes(deviceErrors)).toEqual({
      AUTH_FAILURE: 10000,
      EXTERNAL_FAILURE: 10001,
      PROHIBITED: 10003,
      MISSING_COMPLETION: 10004,
      MAX_ATTEMPTS: 10005,
      NO_DEVICE: 10006,
    });
  });

  it('keeps the prompt numbers', () => {
    expect(wireCodes(promptCodes)).toEqual({
      PHONE_INVALID: 1001,
      PHONE_REQUIRED: 1002,
      PHONE_NOT_ALLOWED: 1003,
      RESEND_TOO_SOON: 1004,
      SEND_LIMIT: 1005,
      OTP_WRONG: 1101,
      ENTRIES_PAUSED: 1102,
      CODE_NOT_DIGITS: 1103,
    });
  });
});

describe('codes named at call sites', () => {
  it('an AppError answers the wire code and status its name has in the catalogue', () => {
    const error = new AppError('STEP_NOT_ALLOWED', 'not now');
    expect(error.code).toBe(apiErrors.STEP_NOT_ALLOWED.code);
    expect(error.status).toBe(apiErrors.STEP_NOT_ALLOWED.status);
    expect(error.toBody()).toEqual({ code: apiErrors.STEP_NOT_ALLOWED.code, message: 'not now' });
    expect(invalidField('phoneNumber', 'is required').toBody()).toEqual({
      code: apiErrors.INVALID_FIELD.code,
      message: 'phoneNumber is required',
    });
  });

  it('an internal error never shows its message', () => {
    const error = new AppError('INTERNAL_ERROR', 'the pool has no connection to db-2');
    expect(error.status).toBe(500);
    expect(error.toBody()).toEqual({ code: apiErrors.INTERNAL_ERROR.code, message: 'internal error' });
  });

  it('device-protocol errors and prompts carry the wire code of their name', () => {
    expect(endWithError('NO_DEVICE', 'device not found')).toEqual({
      next: 'done',
      error: { code: deviceErrors.NO_DEVICE.code, message: 'device not found' },
    });
    expect(deviceError('PROHIBITED', 'no')).toEqual({ code: deviceErrors.PROHIBITED.code, message: 'no' });
    expect(prompt('OTP_WRONG', 'wrong', { attemptsLeft: 2 })).toEqual({
      next: '',
      data: { code: promptCodes.OTP_WRONG.code, message: 'wrong', attemptsLeft: 2 },
    });
  });

  it('a misspelt name fails typecheck (the @ts-expect-error lines) and throws if forced through', () => {
    // @ts-expect-error INVALID_FEILD is not a server API code
    expect(() => new AppError('INVALID_FEILD', 'x')).toThrow(TypeError);
    // @ts-expect-error NO_DEVCE is not a device-protocol code
    expect(() => endWithError('NO_DEVCE', 'x')).toThrow(TypeError);
    // @ts-expect-error a prompt name is not a device-protocol code
    expect(() => deviceError('OTP_WRONG', 'x')).toThrow(TypeError);
    // @ts-expect-error OTP_WRONGG is not a prompt code
    expect(() => prompt('OTP_WRONGG', 'x')).toThrow(TypeError);
  });
});
