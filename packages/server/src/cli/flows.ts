import type { Config } from '../config/load.js';
import { statusOf } from '../flows/flow-state.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/ports.js';

/**
 * `pocketproof flows show <correlationId>`: what support needs to answer "did the text arrive?" —
 * the flow's state and every message with its delivery status and attempts. Numbers are masked
 * and message bodies (which may hold live codes) are never shown.
 */
export async function flowsCommand(
  config: Config,
  action: string | undefined,
  args: string[],
  json: boolean,
): Promise<number> {
  const [id] = args;
  if (action !== 'show' || !id) {
    console.error('usage: pocketproof flows show <correlationId> [--json]');
    return 2;
  }
  const store = openStore(config);
  try {
    await store.migrate();
    const report = await flowReport(store, id, Date.now());
    if (!report) {
      console.error(`no flow ${id} (unknown, or purged after FLOW_RETENTION_SECONDS)`);
      return 1;
    }
    console.log(json ? JSON.stringify(report) : describeReport(report));
    return 0;
  } finally {
    await store.close();
  }
}

export type FlowReport = NonNullable<Awaited<ReturnType<typeof flowReport>>>;

/** What `flows show` prints, read from `store` at `now`; undefined for an unknown flow. */
export async function flowReport(store: Store, correlationId: string, now: number) {
  const flow = await store.flows.findFlow(correlationId.toLowerCase());
  if (!flow) return undefined;
  const messages = await store.messages.listForFlow(flow.id);
  return {
    correlationId: flow.id,
    clientId: flow.clientId,
    possessionType: flow.possessionType,
    state: flow.state,
    status: statusOf(flow.state, flow.expiresAt, now),
    phone: mask(flow.phone),
    failureReason: flow.failureReason,
    createdAt: new Date(flow.createdAt).toISOString(),
    expiresAt: new Date(flow.expiresAt).toISOString(),
    messages: await Promise.all(
      messages.map(async (m) => ({
        id: m.id,
        to: mask(m.to),
        status: m.status,
        deliveryStatus: m.deliveryStatus,
        deliveryError: m.deliveryError,
        // Why it was given up, or why its last attempt failed (scrubbed of numbers when written).
        lastError: m.lastError,
        provider: m.provider,
        providerMessageId: m.providerMessageId,
        attempts: (await store.messages.listAttempts(m.id)).map((a) => ({
          attempt: a.attempt,
          provider: a.provider,
          outcome: a.outcome,
          error: a.errorKind,
          at: new Date(a.at).toISOString(),
        })),
      })),
    ),
  };
}

/** The report for a person: the flow, why it failed or what is wrong with it, and each message. */
export function describeReport(report: FlowReport): string {
  const lines = [
    `${report.correlationId}  ${report.possessionType}  ${report.state} (status ${report.status})  ${report.phone ?? '-'}`,
  ];
  if (report.failureReason) lines.push(`  reason: ${report.failureReason}`);
  for (const m of report.messages) {
    lines.push(
      `  message ${m.id}: ${m.status}, delivery ${m.deliveryStatus} via ${m.provider ?? '-'} (${m.attempts.length} ${m.attempts.length === 1 ? 'attempt' : 'attempts'})`,
    );
    if (m.status === 'abandoned' && m.lastError) lines.push(`    not delivered: ${m.lastError}`);
  }
  return lines.join('\n');
}

/** +12025550143 → +1202•••••43 */
function mask(phone: string | null): string | null {
  return phone === null ? null : `${phone.slice(0, 5)}${'•'.repeat(Math.max(0, phone.length - 7))}${phone.slice(-2)}`;
}
