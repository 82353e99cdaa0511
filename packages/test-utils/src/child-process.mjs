// Spawns a program (Node by default) as a real child process and follows its stdout line by line,
// so tests can wait for what it prints, send it real signals, and see how and when it exits.
import { spawn } from 'node:child_process';

const running = new Set();

export function spawnNode(file, { env = {}, args = [], cwd } = {}) {
  return spawnCommand(process.execPath, [...args, file], { env, cwd });
}

/** Any executable (Bun, Deno, workerd); `extraPipes` adds that many pipes after stderr (fd 3, …). */
export function spawnCommand(command, args, { env = {}, cwd, extraPipes = 0 } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...Array.from({ length: extraPipes }, () => 'pipe')],
  });
  running.add(child);
  const startedAt = performance.now();
  const lines = [];
  const waiters = new Set();
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop();
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters) waiter();
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  // 'close', not 'exit': it comes after the child's stdout is fully read, so every line it
  // printed is in `lines` by the time `exited` resolves.
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      for (const waiter of waiters) waiter();
      resolve({ code, signal, atMs: performance.now() - startedAt });
    });
  });
  let exitStatus;
  exited.then((status) => {
    exitStatus = status;
  });

  return {
    child,
    lines,
    get stderr() {
      return stderr;
    },
    exited,
    /** Parsed JSON lines (fixtures print one JSON object per line). */
    events(name) {
      return lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .filter((event) => name === undefined || event.event === name);
    },
    /** Resolves with the first line matching `test` (a RegExp or a predicate), printed before or after. */
    waitForLine(test, timeoutMs = 15_000) {
      const matches = typeof test === 'function' ? test : (line) => test.test(line);
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find(matches);
          if (line !== undefined) {
            finish();
            resolve(line);
          } else if (exitStatus !== undefined) {
            finish();
            reject(
              new Error(
                `exited (${JSON.stringify(exitStatus)}) before printing ${test}; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `no line matching ${test} within ${timeoutMs} ms; stdout:\n${lines.join('\n')}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    /** Resolves with the first JSON event of that name. */
    async waitForEvent(name, timeoutMs) {
      const line = await this.waitForLine(
        (text) => text.startsWith('{') && JSON.parse(text).event === name,
        timeoutMs,
      );
      return JSON.parse(line);
    },
    signal(name) {
      child.kill(name);
    },
  };
}

/** Kills every child still running (call in afterEach): no test leaves a process behind. */
export async function killAllChildren() {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', resolve);
          child.kill('SIGKILL');
        }),
    ),
  );
}
