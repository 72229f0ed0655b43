/**
 * SMS texts. OTP templates hold exactly one placeholder of 4, 5 or 6 `#` (the code length);
 * Instant Link templates hold `####`, replaced by the link. At most 160 characters as written.
 */
export const DEFAULT_OTP_TEMPLATE =
  "#### is your temporary code to continue your application. Caution: for your security, don't share this code with anyone.";
export const DEFAULT_LINK_TEMPLATE =
  'Complete your verification. If you did not make this request, do not click the link. ####';
export const MAX_TEMPLATE_LENGTH = 160;

const HASH_RUNS = /#{4,}/g;

export type TemplateCheck = { ok: true; codeLength: number } | { ok: false; message: string };

/** Checks an OTP template: exactly one run of `#` of length 4-6 (and no other run of 4 or more). */
export function checkOtpTemplate(template: string): TemplateCheck {
  const runs = template.match(HASH_RUNS) ?? [];
  if (runs.length !== 1) {
    return { ok: false, message: 'must contain exactly one placeholder ####, ##### or ###### for the code' };
  }
  const length = runs[0]?.length ?? 0;
  if (length > 6) return { ok: false, message: 'placeholder must be ####, ##### or ###### (4 to 6 digits)' };
  return { ok: true, codeLength: length };
}

/** Checks an Instant Link template: exactly one `####` for the link. */
export function checkLinkTemplate(template: string): TemplateCheck {
  const runs = template.match(HASH_RUNS) ?? [];
  if (runs.length !== 1 || runs[0] !== '####') {
    return { ok: false, message: 'must contain exactly one placeholder #### for the link' };
  }
  return { ok: true, codeLength: 4 };
}

export function renderOtp(template: string, code: string): string {
  return template.replace(HASH_RUNS, () => code);
}

export function renderLink(template: string, url: string): string {
  return template.replace(HASH_RUNS, () => url);
}

/**
 * The origin-bound one-time code line (WebOTP; iOS and Android autofill): `@<domain> #<code>` as
 * the last line, so the browser offers the code only on that site. Added after a blank line, or
 * a single line break if that is what fits, and left out when the message would pass 160.
 */
export function appendWebOtpLine(message: string, domain: string | undefined, code: string): string {
  if (!domain) return message;
  for (const separator of ['\n\n', '\n']) {
    const candidate = `${message}${separator}@${domain} #${code}`;
    if (templateLength(candidate) <= MAX_TEMPLATE_LENGTH) return candidate;
  }
  return message;
}

/** Count in code points, as a person reads the message. */
export function templateLength(template: string): number {
  return [...template].length;
}
