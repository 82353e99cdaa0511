import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepAbandonedIngresses } from './nginx-ingress.js';

describe('sweepAbandonedIngresses', () => {
  it("removes what a SIGKILLed drill left (its nginx's process group and directory), nothing of a live drill's", async () => {
    const root = await mkdtemp(join(tmpdir(), 'sweep-test-'));
    try {
      const dead = spawn('true');
      await new Promise((resolve) => dead.once('exit', resolve));
      const abandoned = join(root, `lameduck-drill-nginx-${dead.pid}-abc123`);
      const live = join(root, `lameduck-drill-nginx-${process.pid}-def456`);
      await mkdir(abandoned);
      await mkdir(live);
      // A stand-in for its nginx master: its own process group, the prefix on its command line.
      const master = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)', abandoned], {
        detached: true,
        stdio: 'ignore',
      });
      await writeFile(join(abandoned, 'nginx.pid'), `${master.pid}\n`);
      const exited = new Promise((resolve) => master.once('exit', (_code, signal) => resolve(signal)));
      expect(await sweepAbandonedIngresses(root)).toEqual([`lameduck-drill-nginx-${dead.pid}-abc123`]);
      expect(await exited).toBe('SIGKILL');
      expect(existsSync(abandoned)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
