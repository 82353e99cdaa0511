import { readFileSync } from 'node:fs';
import {
  type Client,
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type GrpcLameduck, HEALTH_SERVICE } from '../src/index.js';
import { ECHO_SERVICE, EchoClient, echoImplementation } from './fixtures/echo-service.mjs';
import { check, healthClient, QUIET } from './support.js';

// TLS (grpc-js's secure HTTP/2 server, drained like any other) and requests the health service
// must survive: bytes that are no HealthCheckRequest, a service name far too long.

const tls = (name: string) => readFileSync(new URL(`../../core/test/fixtures/tls/${name}`, import.meta.url));
let lameduck: GrpcLameduck | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  lameduck = undefined;
});

describe('over TLS', () => {
  it('answers the health service, and a call in flight at the shutdown finishes; exit code 0', async () => {
    lameduck = createLameduck({ ...QUIET, drainDelayMs: 0, drainTimeoutMs: 3000 });
    const server = new Server();
    server.addService(ECHO_SERVICE, echoImplementation());
    const port = await lameduck.listen(server, {
      port: 0,
      host: '127.0.0.1',
      credentials: ServerCredentials.createSsl(null, [
        { private_key: tls('localhost-key.pem'), cert_chain: tls('localhost-cert.pem') },
      ]),
    });
    lameduck.ready();
    const secure = credentials.createSsl(tls('localhost-cert.pem'));
    // The certificate's name: a TLS server name may not be an IP address (RFC 6066).
    const named = { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' };
    const HealthClient = makeGenericClientConstructor(HEALTH_SERVICE, 'grpc.health.v1.Health');
    const health = new HealthClient(`127.0.0.1:${port}`, secure, named);
    const echo = new EchoClient(`127.0.0.1:${port}`, secure, named);
    clients.push(health, echo);
    const status = await new Promise((resolve) =>
      // biome-ignore lint/suspicious/noExplicitAny: a generic client's methods are untyped.
      (health as any).check({ service: '' }, (error: ServiceError | null, response: { status: string }) =>
        resolve(error ? error.code : response.status),
      ),
    );
    expect(status).toBe('SERVING');
    const call = new Promise((resolve) =>
      echo.sleep({ ms: 300 }, (error: ServiceError | null) => resolve(error ? error.code : 'answered')),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await lameduck.shutdown('test');
    expect(await call).toBe('answered');
    expect(result).toMatchObject({ exitCode: 0, forced: false, inFlightAtStart: 1 });
  });
});

describe('hostile requests to the health service', () => {
  it('bytes that are no HealthCheckRequest get INTERNAL, and the service keeps answering', async () => {
    lameduck = createLameduck({ ...QUIET, drainDelayMs: 0 });
    const port = await lameduck.listen(new Server(), { port: 0, host: '127.0.0.1' });
    lameduck.ready();
    const raw = makeGenericClientConstructor(
      {
        check: {
          ...HEALTH_SERVICE.check,
          requestSerialize: (bytes: Buffer) => bytes,
        },
      } as typeof HEALTH_SERVICE,
      'grpc.health.v1.Health',
    );
    const client = new raw(`127.0.0.1:${port}`, credentials.createInsecure());
    clients.push(client);
    const send = (bytes: Buffer) =>
      new Promise((resolve) =>
        // biome-ignore lint/suspicious/noExplicitAny: a generic client's methods are untyped.
        (client as any).check(bytes, (error: ServiceError | null, response: { status: string }) =>
          resolve(error ? error.code : response.status),
        ),
      );
    expect(await send(Buffer.from([0x0a, 0x7f, 0x61]))).toBe(13); // truncated: INTERNAL
    expect(await send(Buffer.from([0x0f]))).toBe(13); // wire type 7
    const longName = Buffer.concat([Buffer.from([0x0a, 0x80, 0x40]), Buffer.alloc(8192, 0x61)]);
    expect(await send(longName)).toBe(13);
    expect(await send(Buffer.alloc(0))).toBe('SERVING');
    const health = healthClient(port);
    clients.push(health);
    expect(await check(health, 'x'.repeat(1000))).toEqual({ code: 5 });
  });
});
