export {
  type ChildHandle,
  type ExitStatus,
  killAllChildren,
  spawnCommand,
  spawnNode,
} from './child-process.mjs';
export type { AdapterHarness, RunningApp } from './conformance.js';
export { lifecyclesForTests, runConformanceSuite, runningApp } from './conformance.js';
export { runDemoContract } from './demo-contract.js';
export type { RequestOptions, SimpleResponse } from './http.js';
export { request, requestHttp2 } from './http.js';
export type { LoadReport } from './load.mjs';
export { failures, startKeepAliveLoad } from './load.mjs';
export { reuseAfterIdle } from './pooled-socket.js';
export type { SseDrainReport } from './sse-drain.js';
export { sseAcrossSigterm } from './sse-drain.js';
