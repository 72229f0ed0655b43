import { describe, expect, it } from 'vitest';
import {
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
});
