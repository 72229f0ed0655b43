import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlowEvents } from '../flows/flow-events.js';
import type { TcpProxy } from './tcp-proxy.js';

/**
 * Two nodes' buses on one deployment. `b` reaches the shared service through `proxy`, so a test
 * can cut node B off without touching the real Redis or PostgreSQL. The in-process bus has one
 * node only: there `a` and `b` are the same bus and there is no proxy.
 */
export interface FlowEventNodes {
  a: FlowEvents;
  b: FlowEvents;
  proxy?: TcpProxy;
  close(): Promise<void>;
}

/** The heartbeat the cross-node buses under test are built with. */
export const HEARTBEAT_MS = 250;
const QUIET_MS = 150;
const RECONNECT_MS = 8_000;

const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

/**
 * The behaviour every `FlowEvents` implementation owes the status sockets. A bus with a connection
 * to lose (`connection: true`, its nodes given with a proxy) also owes the recovery tests; the
 * in-process bus has none, and those tests are not registered for it.
 */
export function describeFlowEventsConformance(
  name: string,
  makeNodes: () => Promise<FlowEventNodes>,
  { connection }: { connection: boolean },
): void {
  describe(`FlowEvents conformance: ${name}`, () => {
    let nodes: FlowEventNodes;
    beforeEach(async () => {
      nodes = await makeNodes();
      await Promise.all([nodes.a.ready(), nodes.b.ready()]);
    });
    afterEach(async () => {
      await nodes.close();
    });

    it('a publish on one node reaches the subscribers of that flow on every node, once each', async () => {
      const onA = vi.fn();
      const onB = vi.fn();
      nodes.a.subscribe('flow-1', onA);
      nodes.b.subscribe('flow-1', onB);
      nodes.a.publish('flow-1');
      await vi.waitFor(() => expect(onB).toHaveBeenCalled(), { timeout: 2_000 });
      expect(onA).toHaveBeenCalled();
      await quiet();
      expect(onA).toHaveBeenCalledTimes(1);
      expect(onB).toHaveBeenCalledTimes(1);

      nodes.b.publish('flow-1');
      await vi.waitFor(() => expect(onA).toHaveBeenCalledTimes(2), { timeout: 2_000 });
      await quiet();
      expect(onB).toHaveBeenCalledTimes(2);
    });

    it("a flow's subscribers hear nothing of other flows", async () => {
      const other = vi.fn();
      const mine = vi.fn();
      nodes.b.subscribe('flow-other', other);
      nodes.b.subscribe('flow-mine', mine);
      nodes.a.publish('flow-mine');
      await vi.waitFor(() => expect(mine).toHaveBeenCalled(), { timeout: 2_000 });
      await quiet();
      expect(other).not.toHaveBeenCalled();
    });

    it("unsubscribe stops delivery; the flow's other subscribers still hear", async () => {
      const gone = vi.fn();
      const stays = vi.fn();
      const unsubscribe = nodes.b.subscribe('flow-2', gone);
      nodes.b.subscribe('flow-2', stays);
      unsubscribe();
      nodes.a.publish('flow-2');
      await vi.waitFor(() => expect(stays).toHaveBeenCalled(), { timeout: 2_000 });
      await quiet();
      expect(gone).not.toHaveBeenCalled();
    });

    it('a listener that throws does not keep the others from hearing', async () => {
      const after = vi.fn();
      nodes.b.subscribe('flow-3', () => {
        throw new Error('listener failed');
      });
      nodes.b.subscribe('flow-3', after);
      nodes.a.publish('flow-3');
      await vi.waitFor(() => expect(after).toHaveBeenCalled(), { timeout: 2_000 });
    });

    it('publishing after close does not throw', async () => {
      const onA = vi.fn();
      nodes.a.subscribe('flow-4', onA);
      await nodes.a.close();
      expect(() => nodes.a.publish('flow-4')).not.toThrow();
    });

    const crossNode = (title: string, test: (proxy: TcpProxy) => Promise<void>) => {
      if (!connection) return;
      it(title, async () => {
        if (!nodes.proxy) throw new Error(`${name}: a bus with a connection is tested through a proxy`);
        await test(nodes.proxy);
      });
    };

    crossNode('publish never throws and still tells local subscribers while the bus is unreachable', async (proxy) => {
      const local = vi.fn();
      nodes.b.subscribe('flow-5', local);
      proxy.refuse();
      expect(() => nodes.b.publish('flow-5')).not.toThrow();
      expect(local).toHaveBeenCalledTimes(1);
      proxy.heal();
    });

    crossNode(
      'after its connection is cut, a node reconnects by itself and calls every subscriber once',
      async (proxy) => {
        const first = vi.fn();
        const second = vi.fn();
        nodes.b.subscribe('flow-6', first);
        nodes.b.subscribe('flow-7', second);
        const opened = proxy.connectionsOpened;
        proxy.reset();
        await vi.waitFor(() => expect(first).toHaveBeenCalled(), { timeout: RECONNECT_MS });
        await vi.waitFor(() => expect(second).toHaveBeenCalled(), { timeout: RECONNECT_MS });
        expect(proxy.connectionsOpened).toBeGreaterThan(opened);
        await quiet();
        expect(first).toHaveBeenCalledTimes(1);
        expect(second).toHaveBeenCalledTimes(1);

        nodes.a.publish('flow-6');
        await vi.waitFor(() => expect(first).toHaveBeenCalledTimes(2), { timeout: 2_000 });
      },
    );

    crossNode(
      'a change published while a node is cut off is not missed: its subscribers re-read when it is back',
      async (proxy) => {
        const waiting = vi.fn();
        nodes.b.subscribe('flow-8', waiting);
        proxy.refuse();
        // Long enough for node B to notice that its connection is gone.
        await quiet();
        nodes.a.publish('flow-8');
        await quiet();
        proxy.heal();
        await vi.waitFor(() => expect(waiting).toHaveBeenCalled(), { timeout: RECONNECT_MS });
      },
    );

    crossNode('a change published while a node is partitioned reaches it once the network heals', async (proxy) => {
      const waiting = vi.fn();
      nodes.b.subscribe('flow-9', waiting);
      proxy.hold();
      nodes.a.publish('flow-9');
      await quiet();
      expect(waiting).not.toHaveBeenCalled();
      proxy.heal();
      await vi.waitFor(() => expect(waiting).toHaveBeenCalled(), { timeout: RECONNECT_MS });
    });

    crossNode(
      'a node whose connection stops answering (a partition) reconnects and calls every subscriber',
      async (proxy) => {
        const waiting = vi.fn();
        nodes.b.subscribe('flow-10', waiting);
        proxy.hold();
        // Nothing is published: only the bus's own heartbeat can notice that the connection is deaf.
        await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS * 4));
        proxy.heal();
        await vi.waitFor(() => expect(waiting).toHaveBeenCalled(), { timeout: RECONNECT_MS });
      },
    );
  });
}
