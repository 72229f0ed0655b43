import { describe, expect, it } from 'vitest';
import {
  appendWebOtpLine,
  checkLinkTemplate,
  checkOtpTemplate,
  DEFAULT_LINK_TEMPLATE,
  DEFAULT_OTP_TEMPLATE,
  renderLink,
  renderOtp,
} from './templates.js';

describe('SMS templates', () => {
  it.each([
    ['#### is your code', 4],
    ['Code: #####', 5],
    ['###### is your code', 6],
  ])('the OTP placeholder in %j sets a %i-digit code', (template, length) => {
    expect(checkOtpTemplate(template)).toEqual({ ok: true, codeLength: length });
  });

  it.each(['no placeholder', '#### and ####', '####### too long', '### too short'])(
    'refuses the OTP template %j',
    (template) => {
      expect(checkOtpTemplate(template).ok).toBe(false);
    },
  );

  it('the Instant Link template needs exactly ####', () => {
    expect(checkLinkTemplate('Tap #### now').ok).toBe(true);
    expect(checkLinkTemplate('Tap ##### now').ok).toBe(false);
    expect(checkLinkTemplate('Tap now').ok).toBe(false);
  });

  it('the default texts are valid and fit 160 characters', () => {
    expect(checkOtpTemplate(DEFAULT_OTP_TEMPLATE)).toEqual({ ok: true, codeLength: 4 });
    expect(checkLinkTemplate(DEFAULT_LINK_TEMPLATE).ok).toBe(true);
    expect(DEFAULT_OTP_TEMPLATE.length).toBeLessThanOrEqual(160);
  });

  it('renders the code and the link literally, even with $ patterns', () => {
    expect(renderOtp('#### is it', '0421')).toBe('0421 is it');
    expect(renderLink('Go ####', 'https://x.example/il/a$&b')).toBe('Go https://x.example/il/a$&b');
  });

  describe('origin-bound code line (SMS_WEBOTP_DOMAIN)', () => {
    it('is the last line, after a blank line, as WebOTP reads it', () => {
      expect(appendWebOtpLine('123456 is your code', 'app.example.com', '123456')).toBe(
        '123456 is your code\n\n@app.example.com #123456',
      );
    });

    it('the default OTP text with the line fits 160 characters', () => {
      const message = appendWebOtpLine(renderOtp(DEFAULT_OTP_TEMPLATE, '0421'), 'login.example.com', '0421');
      expect(message.endsWith('\n\n@login.example.com #0421')).toBe(true);
      expect([...message].length).toBeLessThanOrEqual(160);
    });

    it('drops the blank line when only that fits, and the whole line when nothing fits', () => {
      const domain = 'example.com'; // "@example.com #123456" is 20 characters
      const fitsOneBreak = 'x'.repeat(160 - 21);
      expect(appendWebOtpLine(fitsOneBreak, domain, '123456')).toBe(`${fitsOneBreak}\n@example.com #123456`);
      const tooLong = 'x'.repeat(160 - 20);
      expect(appendWebOtpLine(tooLong, domain, '123456')).toBe(tooLong);
    });

    it('counts characters, not bytes', () => {
      const accented = 'é'.repeat(160 - 22);
      expect(appendWebOtpLine(accented, 'example.com', '123456')).toBe(`${accented}\n\n@example.com #123456`);
    });

    it('without a domain the message is unchanged', () => {
      expect(appendWebOtpLine('1234 is your code', undefined, '1234')).toBe('1234 is your code');
    });
  });
});
