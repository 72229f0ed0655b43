import { isIP } from 'node:net';
import type { Config } from '../config/load.js';
import { checkPhoneNumber, type PhoneCheck } from '../phone/parse-phone.js';
import { checkLinkTemplate, checkOtpTemplate, MAX_TEMPLATE_LENGTH, templateLength } from '../sms/templates.js';
import type { ClientRecord, PossessionType } from '../storage/records.js';
import { checkRedirectTarget } from './redirect-target.js';

/**
 * The rules of `/v3/mfa` and `/v3/unify` beyond the JSON shape (contract §1.2). The body has
 * already passed the schema (types, lengths, character sets); this checks what a schema cannot:
 * phone parsing, region, per-type requirements, templates and redirect origins.
 */
export interface StartRequestBody {
  possessionType: PossessionType;
  phoneNumber?: string;
  finalTargetUrl?: string;
  smsMessage?: string;
  clientRequestId?: string;
  clientCustomerId?: string;
  clientHumanId?: string;
  emailAddress?: string;
  ipAddress?: string;
  allowOTPRetry?: boolean;
  rebind?: boolean;
  deviceId?: string;
  proveId?: string;
}

export interface StartRequest {
  possessionType: PossessionType;
  phone: string | null;
  finalTargetUrl: string | null;
  smsMessage: string | null;
  clientRequestId: string | null;
  clientCustomerId: string | null;
  clientHumanId: string | null;
  emailAddress: string | null;
  ipAddress: string | null;
  allowOtpRetry: boolean;
  rebind: boolean;
  deviceId: string | null;
}

export type FieldProblem = { field: string; rule: string };
export type Checked<T> = { ok: true; value: T } | ({ ok: false } & FieldProblem);

const EMAIL = /^[A-Za-z0-9.+]+@[A-Za-z0-9]+(\.[A-Za-z0-9]+)*\.[A-Za-z]{2,}$/;

export function checkStartRequest(
  body: StartRequestBody,
  context: {
    config: Config;
    seedEra: boolean;
    client: Pick<ClientRecord, 'redirectOrigins' | 'anyRedirectTarget'>;
    /** Replaces the deployment's phone rules (sandbox mode). */
    checkPhone?: (input: string) => PhoneCheck;
  },
): Checked<StartRequest> {
  const { config } = context;
  const fail = (field: string, rule: string): Checked<StartRequest> => ({ ok: false, field, rule });

  let phone: string | null = null;
  if (body.phoneNumber !== undefined && body.phoneNumber !== '') {
    if (context.seedEra && body.possessionType === 'none') {
      return fail('phoneNumber', 'is not allowed on /v3/mfa when possessionType is none');
    }
    const checked = context.checkPhone?.(body.phoneNumber) ?? checkPhoneNumber(body.phoneNumber, config);
    if (!checked.ok) return fail('phoneNumber', checked.message);
    phone = checked.e164;
  } else if (config.region === 'eu') {
    return fail('phoneNumber', 'is required in region eu');
  }

  let finalTargetUrl: string | null = null;
  if (body.possessionType === 'desktop') {
    if (body.finalTargetUrl === undefined || body.finalTargetUrl === '') {
      return fail('finalTargetUrl', 'is required when possessionType is desktop');
    }
  }
  if (body.finalTargetUrl !== undefined && body.finalTargetUrl !== '') {
    const target = checkRedirectTarget(body.finalTargetUrl, {
      redirectOrigins: context.client.redirectOrigins,
      anyRedirectTarget: context.client.anyRedirectTarget,
      production: config.nodeEnv === 'production',
    });
    if (!target.ok) return fail('finalTargetUrl', target.rule);
    finalTargetUrl = target.url;
  }

  let smsMessage: string | null = null;
  if (body.smsMessage !== undefined && body.smsMessage !== '') {
    if (templateLength(body.smsMessage) > MAX_TEMPLATE_LENGTH) {
      return fail('smsMessage', `must be at most ${MAX_TEMPLATE_LENGTH} characters`);
    }
    if (body.possessionType !== 'none') {
      const template =
        body.possessionType === 'desktop' ? checkLinkTemplate(body.smsMessage) : checkOtpTemplate(body.smsMessage);
      if (!template.ok) return fail('smsMessage', template.message);
    }
    smsMessage = body.smsMessage;
  }

  if (body.emailAddress !== undefined && body.emailAddress !== '' && !EMAIL.test(body.emailAddress)) {
    return fail('emailAddress', 'must be an email address of letters, digits and @ . +');
  }
  if (body.ipAddress !== undefined && body.ipAddress !== '' && isIP(body.ipAddress) === 0) {
    return fail('ipAddress', 'must be a valid IPv4 or IPv6 address');
  }

  const text = (value: string | undefined) => (value === undefined || value === '' ? null : value);
  return {
    ok: true,
    value: {
      possessionType: body.possessionType,
      phone,
      finalTargetUrl,
      smsMessage,
      clientRequestId: text(body.clientRequestId),
      clientCustomerId: text(body.clientCustomerId),
      clientHumanId: text(body.clientHumanId),
      emailAddress: text(body.emailAddress),
      ipAddress: text(body.ipAddress),
      allowOtpRetry: body.allowOTPRetry ?? false,
      rebind: body.rebind ?? false,
      deviceId: text(body.deviceId),
    },
  };
}
