import { ErrorCode, PocketproofError } from '../errors.js';
import type { Session } from '../session.js';
import type { Envelope } from '../types.js';

const PING_INTERVAL_MS = 30_000;

/**
 * The desktop's wait (wire-protocol §4.7): `ping` every 30 s, and the first other text frame is the
 * result. A socket that closes first, or stops answering pings, fails the wait.
 */
export function waitOnStatusSocket(session: Session): { result: Promise<Envelope>; close(): void } {
  const socket = new WebSocket(session.statusSocketUrl());
  let timer: ReturnType<typeof setInterval> | undefined;
  let awaitingPong = false;
  const result = new Promise<Envelope>((resolve, reject) => {
    socket.onopen = () => {
      timer = setInterval(() => {
        if (awaitingPong) {
          socket.close();
          reject(new PocketproofError('the status channel stopped answering', ErrorCode.NETWORK, 'mobile/instantlink'));
          return;
        }
        awaitingPong = true;
        socket.send('ping');
      }, PING_INTERVAL_MS);
    };
    socket.onmessage = (event) => {
      if (event.data === 'pong') {
        awaitingPong = false;
        return;
      }
      clearInterval(timer);
      socket.close();
      try {
        resolve(JSON.parse(String(event.data)) as Envelope);
      } catch {
        reject(
          new PocketproofError('the status channel sent an unreadable result', ErrorCode.NETWORK, 'mobile/instantlink'),
        );
      }
    };
    socket.onclose = (event) => {
      clearInterval(timer);
      reject(
        new PocketproofError(`the status channel closed (code ${event.code})`, ErrorCode.NETWORK, 'mobile/instantlink'),
      );
    };
  });
  // The caller may settle by another path first; an unobserved rejection must not surface.
  result.catch(() => undefined);
  return {
    result,
    close() {
      clearInterval(timer);
      if (socket.readyState <= WebSocket.OPEN) socket.close();
    },
  };
}
