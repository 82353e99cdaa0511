import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Runs inside packages/core, where Node resolves `@lameduck/core` to this package itself through
// its `exports` map: the same resolution a user gets, against the built files.
const packageDir = fileURLToPath(new URL('..', import.meta.url));

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: packageDir, encoding: 'utf8' }).trim();
}

const program = (load: string) => `
  ${load}
  const lameduck = core.createLameduck({ logger: false });
  lameduck.check('db', async () => {});
  lameduck.ready();
  core.respondToProbe(lameduck, { method: 'GET', path: '/readyz?verbose' }).then((response) => {
    console.log(typeof node, response.status, JSON.stringify(response.body));
  });
`;

describe('the built package', () => {
  it('works through ESM import', () => {
    const output = node([
      '--input-type=module',
      '-e',
      program("import * as core from '@lameduck/core'; import * as node from '@lameduck/core/node';"),
    ]);
    expect(output).toBe('object 200 "[+]lifecycle ok\\n[+]db ok\\nreadiness check passed\\n"');
  });

  it('works through CommonJS require', () => {
    const output = node([
      '--input-type=commonjs',
      '-e',
      program("const core = require('@lameduck/core'); const node = require('@lameduck/core/node');"),
    ]);
    expect(output).toBe('object 200 "[+]lifecycle ok\\n[+]db ok\\nreadiness check passed\\n"');
  });

  it.each([
    [
      'import',
      '--input-type=module',
      "import { LameduckConfigError } from '@lameduck/core'; import { createNodeLameduck } from '@lameduck/core/node';",
    ],
    [
      'require',
      '--input-type=commonjs',
      "const { LameduckConfigError } = require('@lameduck/core'); const { createNodeLameduck } = require('@lameduck/core/node');",
    ],
  ])('shares one LameduckConfigError between the two entry points (%s)', (_how, type, load) => {
    const output = node([
      type,
      '-e',
      `${load} try { createNodeLameduck({ drainTimeoutMs: -1 }) } catch (error) { console.log(error instanceof LameduckConfigError) }`,
    ]);
    expect(output).toBe('true');
  });
});
