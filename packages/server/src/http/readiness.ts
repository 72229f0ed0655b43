/**
 * Whether this node should get new requests. A node told to stop first turns `/readyz` to 503 and
 * keeps serving for `SHUTDOWN_DRAIN_SECONDS`, so a load balancer's health check takes it out of the
 * rotation before it closes its listener; requests already on their way are still answered.
 */
export interface Readiness {
  draining: boolean;
}
