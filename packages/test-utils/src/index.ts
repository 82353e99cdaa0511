export type { AdapterHarness, RunningApp } from './conformance.js';
export { runConformanceSuite } from './conformance.js';
export type { SimpleResponse } from './http.js';
export { request, sleep } from './http.js';
export type { LoadReport } from './load.js';
export { failures, startKeepAliveLoad } from './load.js';
