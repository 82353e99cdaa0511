import type { AddressInfo } from 'node:net';
import express from 'express';
import { lifecyclesForTests, reuseAfterIdle } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck } from '../src/index.js';

const lameduckForTest = lifecyclesForTests(createLameduck);

describe('express: keep-alive timeout', () => {
  // Regression (issue 24): Express keeps Node's 5 s, and an ingress's pooled connection idle for
  // longer is closed under it (a 502 on the next POST).
  it('listen() raises it to 65 s: a pooled socket idle 6.5 s is still answered', async () => {
    const lameduck = lameduckForTest();
    const app = express();
    app.use(lameduck.middleware());
    app.post('/orders', (_request, response) => {
      response.send('created');
    });
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(await reuseAfterIdle((server.address() as AddressInfo).port, 6_500)).toBe('answered');
  }, 15_000);
});
