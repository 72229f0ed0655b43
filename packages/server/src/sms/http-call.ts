import { SmsProviderError } from './provider.js';

/**
 * The one way HTTP providers talk to their API: global `fetch` with a deadline, every failure to
 * get an answer turned into a retryable `network` error, and the answer read whole (text and, when
 * it parses, JSON) so the provider can explain it.
 */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export async function callProvider(
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<HttpAnswer> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      // A redirect from a provider API is a misconfigured base URL, not something to follow with credentials.
      redirect: 'manual',
      signal: AbortSignal.timeout(init.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJson(text) };
  } catch (error) {
    if (error instanceof SmsProviderError) throw error;
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new SmsProviderError('network', `no answer within ${init.timeoutMs} ms`, true);
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SmsProviderError('network', `request failed: ${cause?.code ?? cause?.message ?? String(error)}`, true);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The usual reading of an HTTP status, for answers the provider's own codes do not explain better:
 * 429 slow down; 401/403 our credentials; 402 out of credit; other 4xx this message; 5xx and
 * anything else their side, worth another try.
 */
export function errorForStatus(status: number, message: string, providerCode?: string): SmsProviderError {
  if (status === 429) return new SmsProviderError('rate_limited', message, true, providerCode);
  if (status === 401 || status === 403) return new SmsProviderError('invalid_config', message, false, providerCode);
  if (status === 402) return new SmsProviderError('quota_exceeded', message, false, providerCode);
  if (status === 408) return new SmsProviderError('network', message, true, providerCode);
  if (status >= 400 && status < 500) return new SmsProviderError('rejected', message, false, providerCode);
  return new SmsProviderError('unexpected', message, true, providerCode);
}

/** `Basic` credentials for an API key and secret. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
