/**
 * What every answer must be, whatever was asked: no 5xx, the security headers, `{ code, message }`
 * on every refusal (the Instant Link pages excepted: people read them in a browser), and none of
 * the secrets the fuzzer knows, nor the credential the request carried, anywhere in the body.
 */
export interface Answer {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

export interface Sent {
  route: string;
  method: string;
  path: string;
  authorization?: string;
}

export function problemWith(sent: Sent, answer: Answer, secrets: readonly string[]): string | undefined {
  const what = `${sent.method} ${sent.path.slice(0, 120)} → ${answer.status}`;
  if (answer.status >= 500) return `${what}: server error ${answer.text.slice(0, 200)}`;
  if (answer.status === 101) return undefined;
  if (answer.header('x-content-type-options') !== 'nosniff') return `${what}: no security headers`;
  for (const secret of secrets) {
    if (secret && answer.text.includes(secret)) return `${what}: the body holds a secret`;
  }
  const credential = /^(?:Bearer|Basic)\s+(\S{16,})/i.exec(sent.authorization ?? '')?.[1];
  if (credential && answer.text.includes(credential)) return `${what}: the body echoes the request's credential`;
  if (answer.status < 400 || sent.method === 'HEAD') return undefined;
  const type = answer.header('content-type') ?? '';
  if (sent.path.startsWith('/il/') && type.startsWith('text/html')) return undefined;
  if (!type.startsWith('application/json')) return `${what}: refusal is ${type || 'untyped'}, not JSON`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `${what}: refusal is not valid JSON`;
  }
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  if (!Number.isInteger(code) || typeof message !== 'string' || message === '') {
    return `${what}: refusal lacks { code, message }: ${answer.text.slice(0, 200)}`;
  }
  return undefined;
}
