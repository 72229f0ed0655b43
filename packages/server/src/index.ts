/**
 * The package's public entry (`import { buildServer, loadConfig } from '@pocketproof/server'`):
 * what an application needs to run the server inside its own process. Everything else under
 * dist/ is internal and may change between versions.
 */
export { type Clock, systemClock } from './clock.js';
export { type Config, ConfigError, loadConfig } from './config/load.js';
export type { Random } from './crypto/random.js';
export type { FlowEvents } from './flows/flow-events.js';
export { type BuildOptions, buildServer, type Server } from './main.js';
export { type OutgoingSms, type SmsErrorKind, type SmsProvider, SmsProviderError } from './sms/provider.js';
export type { Store } from './storage/ports.js';
