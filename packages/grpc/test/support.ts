import {
  type Client,
  credentials,
  makeGenericClientConstructor,
  Server,
  type ServiceError,
} from '@grpc/grpc-js';
import { service as healthProto } from 'grpc-health-check';
import type { GrpcLameduck } from '../src/index.js';
import { ECHO_SERVICE, echoImplementation } from './fixtures/echo-service.mjs';

/** No signal handlers, no exit, no environment: an in-process lifecycle for a test. */
export const QUIET = { logger: false, signals: false, exitOnSignal: false, env: false } as const;

/**
 * grpc-health-check's own client: health.proto loaded by @grpc/proto-loader (protobufjs), so
 * the answers are checked against the protocol's definition, not against our hand encoding.
 */
// biome-ignore lint/suspicious/noExplicitAny: a generic client's methods are untyped.
export type HealthClient = Client & Record<string, any>;
const HealthClientConstructor = makeGenericClientConstructor(healthProto, 'grpc.health.v1.Health');

export function healthClient(port: number): HealthClient {
  return new HealthClientConstructor(`127.0.0.1:${port}`, credentials.createInsecure()) as HealthClient;
}

/** Check's answer: the status name, or the gRPC error's code. */
export function check(client: HealthClient, service: string): Promise<string | { code: number }> {
  return new Promise((resolve) => {
    client.Check({ service }, (error: ServiceError | null, response: { status: string }) => {
      resolve(error ? { code: error.code } : response.status);
    });
  });
}

/** A grpc-js server with the test Echo service, served by lameduck on 127.0.0.1, port 0. */
export async function serve(lameduck: GrpcLameduck): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(ECHO_SERVICE, echoImplementation({ signal: lameduck.drainSignal }));
  const port = await lameduck.listen(server, { port: 0, host: '127.0.0.1' });
  return { server, port };
}
