// The hooks are the model's (the Bun and Deno drain runs them too); here for Node users' imports.
export type { HookFunction, HookOptions, HookOutcome, HookPhase } from '../hooks.js';
export type { AppLameduck } from './app-lameduck.js';
export { createAppLameduck } from './app-lameduck.js';
export type { StopReport, UpgradedSocket } from './connections.js';
export type {
  LameduckCheckMessage,
  LameduckShutdownMessage,
  LameduckSource,
  LameduckStateMessage,
  ShutdownPhase,
  ShutdownPhaseEvent,
} from './diagnostics.js';
export { DIAGNOSTICS_CHANNELS } from './diagnostics.js';
export type { EnvOptions } from './env-options.js';
export { ENV_OPTIONS, optionsFromEnv } from './env-options.js';
export type { NodeLameduck, ShutdownOptions } from './node-lameduck.js';
export { createNodeLameduck } from './node-lameduck.js';
export type { DrainSettings, ExitMode, NodeLameduckOptions } from './options.js';
export { GRACE_PERIOD_ENV } from './options.js';
export type { AheadOfApp, ProbesFirst } from './probes-first.js';
export { probesFirst } from './probes-first.js';
export { respondToNode } from './respond-to-node.js';
export type { AttachableServer } from './server-kind.js';
export type { ShutdownResult, UpgradedSocketsHook } from './shutdown.js';
export type { Listenable, ListenOptions } from './start-server.js';
export { DEFAULT_PORT, resolvePort, startServer } from './start-server.js';
export type { WebSocketLike, WebSocketServerLike } from './upgraded-sockets.js';
