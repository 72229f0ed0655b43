import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { rawRequest } from '../../packages/server/src/test-support/raw-http.js';
import { type Answer, problemWith } from './checks.js';
import { malformedRequests, type RawFuzzRequest } from './malformed.js';
import { type FuzzRequest, fuzzRequests } from './requests.js';
import type { FuzzSession } from './session.js';

export interface FuzzOptions {
  requests: number;
  /** Lanes run side by side, each its own fast-check run with its own seed. */
  lanes: number;
  seed: number;
}

export interface FuzzResult {
  requests: number;
  byStatus: Record<string, number>;
  serverErrors: number;
  /** Requests the HTTP client refused to send (a header value fetch will not put on the wire). */
  unsendable: number;
  /** Raw requests the server closed, or left waiting for more bytes, without an answer. */
  unanswered: number;
  failures: string[];
  /** Lines the server logged at error level or above during the run (client mistakes should log lower). */
  errorLogLines: number;
  /** Milliseconds spent per route, to see where a slow run goes. */
  msByRoute: Record<string, number>;
  crashed: boolean;
  residentBeforeMb: number;
  residentPeakMb: number;
  residentAfterMb: number;
  seconds: number;
  /** CPU time the server process used during the run (all threads). */
  serverCpuSeconds: number;
  /** CPU time this process (generating, sending, checking) used during the run. */
  fuzzerCpuSeconds: number;
}

const REQUEST_TIMEOUT_MS = 10_000;
/** A lane starts a fresh flow this often, replacing those fuzzed requests have finished or failed. */
const NEW_FLOW_EVERY = 100;

/**
 * Sends `requests` generated requests at a live server and checks every answer. A lane stops at its
 * first failing answer and fast-check shrinks it to a minimal request, which the failure names.
 */
export async function runFuzz(session: FuzzSession, options: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const result: FuzzResult = {
    requests: 0,
    byStatus: {},
    serverErrors: 0,
    unsendable: 0,
    unanswered: 0,
    failures: [],
    msByRoute: {},
    errorLogLines: 0,
    crashed: false,
    residentBeforeMb: await session.residentMb(),
    residentPeakMb: 0,
    residentAfterMb: 0,
    seconds: 0,
    serverCpuSeconds: 0,
    fuzzerCpuSeconds: 0,
  };
  const fuzzerCpuBefore = process.cpuUsage();
  const cpuBefore = await cpuSeconds(session.pid);
  const logBefore = session.server.output().length;
  const secrets = [session.clientSecret, session.secretsKey];
  const port = Number(new URL(session.server.url).port);
  const request = fc.oneof(
    { weight: 19, arbitrary: fuzzRequests(session).map((r) => ({ http: r })) },
    { weight: 1, arbitrary: malformedRequests(session).map((r) => ({ raw: r })) },
  );

  let sent = 0;
  const count = (status: number) => {
    result.requests++;
    result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
    if (status >= 500) result.serverErrors++;
  };
  const property = fc.asyncProperty(request, async (next: { http?: FuzzRequest; raw?: RawFuzzRequest }) => {
    if (++sent % NEW_FLOW_EVERY === 0) await session.addFlow();
    const begun = Date.now();
    const route = next.http?.route ?? next.raw?.route ?? '';
    const problem = next.http
      ? await sendHttp(session.server.url, next.http, secrets, count, result)
      : await sendRaw(port, next.raw as RawFuzzRequest, secrets, count, result);
    result.msByRoute[route] = (result.msByRoute[route] ?? 0) + Date.now() - begun;
    if (problem) throw new Error(problem);
  });

  const perLane = Math.ceil(options.requests / options.lanes);
  const lanes = Array.from({ length: options.lanes }, (_, lane) =>
    fc.assert(property, { numRuns: perLane, seed: options.seed + lane, includeErrorInReport: true }),
  );
  for (const outcome of await Promise.allSettled(lanes)) {
    if (outcome.status === 'rejected')
      result.failures.push(String(outcome.reason?.message ?? outcome.reason).slice(0, 2000));
  }

  result.crashed = !(await alive(session));
  result.errorLogLines = session.server
    .output()
    .slice(logBefore)
    .split('\n')
    .filter((line) => /"level":(5|6)0/.test(line)).length;
  result.residentPeakMb = result.crashed ? 0 : await session.peakResidentMb();
  result.residentAfterMb = result.crashed ? 0 : await session.residentMb();
  result.seconds = Math.round((Date.now() - started) / 1000);
  const fuzzerCpu = process.cpuUsage(fuzzerCpuBefore);
  result.fuzzerCpuSeconds = Math.round((fuzzerCpu.user + fuzzerCpu.system) / 1e6);
  if (!result.crashed) result.serverCpuSeconds = Math.round((await cpuSeconds(session.pid)) - cpuBefore);
  return result;
}

async function sendHttp(
  url: string,
  request: FuzzRequest,
  secrets: readonly string[],
  count: (status: number) => void,
  result: FuzzResult,
): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(`${url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    // fetch refuses some header values before sending (a TypeError without a cause): nothing
    // reached the server. Anything else is an answer that never came.
    const cause = (error as { cause?: unknown }).cause;
    if (error instanceof TypeError && cause === undefined) {
      result.unsendable++;
      return undefined;
    }
    return `${request.method} ${request.path.slice(0, 120)}: no answer (${String(cause ?? error)})`;
  }
  const text = await response.text();
  count(response.status);
  const answer: Answer = { status: response.status, header: (name) => response.headers.get(name) ?? undefined, text };
  return problemWith(
    { route: request.route, method: request.method, path: request.path, authorization: request.headers.authorization },
    answer,
    secrets,
  );
}

async function sendRaw(
  port: number,
  request: RawFuzzRequest,
  secrets: readonly string[],
  count: (status: number) => void,
  result: FuzzResult,
): Promise<string | undefined> {
  const answer = await rawRequest(port, request.bytes, 1_500);
  if (!answer) {
    result.unanswered++;
    return undefined;
  }
  count(answer.status);
  const firstLine = request.bytes.toString('latin1').split('\r\n')[0] ?? '';
  const [method = '', path = ''] = firstLine.split(' ');
  return problemWith(
    { route: request.route, method, path },
    { status: answer.status, header: (name) => answer.headers[name], text: answer.body },
    secrets,
  );
}

/** User and system CPU of a process from /proc, in seconds (the kernel counts 10 ms ticks). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function alive(session: FuzzSession): Promise<boolean> {
  try {
    return (await fetch(`${session.server.url}/healthz`, { signal: AbortSignal.timeout(5_000) })).ok;
  } catch {
    return false;
  }
}
