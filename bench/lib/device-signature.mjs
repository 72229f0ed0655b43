// Device-key signatures for the virtual users, made synchronously (~30 µs). Made on libuv's thread
// pool instead (the callback form), each cost this process's event loop more than that: on a
// 2-vCPU machine whose cores the server keeps busy, waking a pool thread got this thread
// descheduled, and the CPU profile put ~130 µs per flow in `sign`. A browser's WebCrypto signs off
// its page's thread, but the load generator only stands in for 50 browsers.
import { sign } from 'node:crypto';

export const deviceSignature = async (privateKey, message) =>
  sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
