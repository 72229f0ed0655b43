// Device-key signatures for the virtual users. They are made on libuv's thread pool, as a browser's
// WebCrypto makes them off the page's main thread: a synchronous ECDSA sign (~60 µs) would stall
// this load generator's event loop and add to every other virtual user's measured latency.
import { sign } from 'node:crypto';

export const deviceSignature = (privateKey, message) =>
  new Promise((resolve, reject) =>
    sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'der' }, (error, signature) =>
      error ? reject(error) : resolve(signature.toString('base64')),
    ),
  );
