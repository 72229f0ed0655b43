/**
 * @pocketproof/demo: a small integrator app that shows Pocketproof's three possession types in a
 * browser. `pocketproof serve` starts it in development (DEMO_PORT); `startDemo` runs it anywhere.
 */
export { startDemo } from './demo-server.js';
