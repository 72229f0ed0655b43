import { scrubText } from './scrub.js';

/** What the logs keep of an error. */
export interface BriefError {
  type: string;
  message: string;
  code?: string | number;
  /** Frames of our own code only (a library's own frames say nothing we can act on). */
  stack?: string;
  cause?: BriefError;
}

const OWN_FRAMES = 5;

/**
 * The `err` serializer. Library errors carry whatever their authors attached: pg's errors can hold
 * the client (its backend's cancel key, the statement), the parameters' values in `detail`;
 * Node's HTTP parser errors the raw request bytes. Only the type, a scrubbed message and the code
 * are kept, the cause one level down, and a few stack frames when the error passed through our
 * own code (a bug of ours answered 500), where they say where to look.
 */
export function briefError(error: unknown, depth = 0): BriefError {
  if (typeof error !== 'object' || error === null) return { type: typeof error, message: scrubText(String(error)) };
  const { name, message, code, stack, cause } = error as Record<string, unknown>;
  const brief: BriefError = {
    type: typeof name === 'string' ? name : (error.constructor?.name ?? 'Object'),
    message: scrubText(typeof message === 'string' ? message : ''),
  };
  // Codes are the library's own constants (`57P01`, `EADDRINUSE`, `WS_ERR_INVALID_UTF8`).
  if (typeof code === 'string') brief.code = code.slice(0, 60);
  else if (typeof code === 'number') brief.code = code;
  const frames = depth === 0 ? ownFrames(stack) : undefined;
  if (frames) brief.stack = frames;
  if (cause !== undefined && depth === 0) brief.cause = briefError(cause, depth + 1);
  return brief;
}

function ownFrames(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at ') && !/node_modules|\(node:|at node:|\(internal\//.test(line))
    .slice(0, OWN_FRAMES);
  return frames.length > 0 ? frames.join('\n') : undefined;
}
