import { keyStore, NAMESPACE_KEY, sha256Hex, signMessage } from './device-key.js';
import { ErrorCode, PocketproofError } from './errors.js';
import type { Envelope, KeyRecord } from './types.js';

/** The claims of an authToken the SDK uses (wire-protocol §1.3). */
export interface AuthClaims {
  id: string;
  ans: string;
  endp: string;
  chlg: string;
  next: string;
  subs: {
    dev?: { auths: Record<string, unknown> };
    mob?: { auths: { otp?: { mnp?: boolean }; inln?: { mnp?: boolean } } };
  };
}

/** Reads the claims the way the protocol promises they can be read: segment 1 through `atob`. */
export function readClaims(authToken: string): AuthClaims {
  try {
    const claims = JSON.parse(atob(authToken.split('.')[1] ?? '')).auth as AuthClaims;
    if (!claims?.ans || !claims.endp || typeof claims.next !== 'string' || !claims.subs) throw new Error('claims');
    return claims;
  } catch {
    throw new PocketproofError('the authToken cannot be read', ErrorCode.BAD_TOKEN);
  }
}

/**
 * One `authenticate()` call: the token, its claims and the server origin. A stored key pins the
 * origin it was registered with, so a returning browser keeps talking to the server that knows it.
 */
export class Session {
  readonly claims: AuthClaims;
  origin: string;
  key: KeyRecord | undefined;

  private constructor(
    readonly authToken: string | undefined,
    claims: AuthClaims,
  ) {
    this.claims = claims;
    this.origin = claims.endp;
  }

  static async start(authToken: string): Promise<Session> {
    const session = new Session(authToken, readClaims(authToken));
    try {
      localStorage.setItem(NAMESPACE_KEY, session.claims.ans);
    } catch {
      // blocked storage only costs unregister's namespace lookup
    }
    session.key = await keyStore.get(session.claims.ans).catch(() => undefined);
    if (session.key?.endpoint) session.origin = session.key.endpoint;
    return session;
  }

  /** A session without a token, for unregister. */
  static forKey(key: KeyRecord): Session {
    const session = new Session(undefined, {
      id: '',
      ans: key.namespace,
      endp: key.endpoint,
      chlg: '',
      next: '',
      subs: {},
    });
    session.key = key;
    return session;
  }

  /** POSTs JSON; non-2xx rejects (the server aborts the flow). 10006 wipes the stored key. */
  async call(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Envelope> {
    const raw = JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(this.origin + path, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          ...(this.authToken ? { Authorization: `Bearer ${this.authToken}` } : {}),
          ...headers,
        },
        body: raw,
      });
    } catch (error) {
      throw new PocketproofError(`network error calling ${path}: ${(error as Error).message}`, ErrorCode.NETWORK);
    }
    const text = await response.text();
    if (!response.ok) throw new PocketproofError(`${path} answered HTTP ${response.status}`, ErrorCode.HTTP);
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      throw new PocketproofError(`${path} did not answer JSON`, ErrorCode.NETWORK);
    }
    if (envelope.error?.code === 10006) {
      this.key = undefined;
      await keyStore.clear();
    }
    return envelope;
  }

  /**
   * A request signed with the device key (wire-protocol §4.10): a fresh single-use challenge, then
   * `POST\n<path>\n\napplication/json\n<challenge>\n<sha256 hex of the exact body>` signed.
   */
  async signedCall(path: string, body: unknown): Promise<Envelope> {
    const key = this.key;
    if (!key?.deviceId) return this.call(path, body);
    const issued = (await this.call('/v1/client/challenge', { deviceId: key.deviceId })) as Envelope & {
      challenge?: string;
    };
    if (issued.error || !issued.challenge) {
      throw new PocketproofError(issued.error?.message ?? 'no challenge', issued.error?.code ?? ErrorCode.NETWORK);
    }
    const raw = JSON.stringify(body);
    const input = ['POST', path, '', 'application/json', issued.challenge, await sha256Hex(raw)].join('\n');
    return this.call(path, body, {
      'PA-Sig-Version': '3',
      'PA-Challenge': issued.challenge,
      'PA-KID': key.keyId,
      'PA-Signature': await signMessage(key.keys, input),
    });
  }

  statusSocketUrl(): string {
    return `${this.claims.endp.replace(/^http/, 'ws')}/v1/client/status?token=${encodeURIComponent(this.authToken ?? '')}`;
  }
}
