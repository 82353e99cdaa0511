import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRAIN_OPTION_KEYS } from '../src/drain-options.js';
import { ENVIRONMENT, GRACE_PERIOD_VARIABLE } from '../src/environment.js';
import { LAMEDUCK_OPTION_KEYS } from '../src/lameduck.js';
import { NODE_OPTION_KEYS } from '../src/node/options.js';
import { PROBE_DETAIL_VARIABLE } from '../src/probe-detail.js';
import { BUDGET_VARIABLE } from '../src/shutdown-budget.js';

// The option lists are the ones `createLameduck` checks keys against, and ENVIRONMENT is the table
// the app reads: an option or variable added to the code without a line in the README fails here.
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** Code blocks of the README, where the model's options are shown as `name: value, // meaning`. */
const codeBlocks = [...readme.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

function documented(name: string): boolean {
  if (readme.includes(`| \`${name}\` |`)) return true;
  return codeBlocks.some((block) => new RegExp(`^\\s*${name}:.*//`, 'm').test(block));
}

const options = [
  ...Object.keys(LAMEDUCK_OPTION_KEYS),
  ...Object.keys(DRAIN_OPTION_KEYS),
  ...Object.keys(NODE_OPTION_KEYS),
];
const variables = [
  ...Object.values(ENVIRONMENT).map((row) => row.variable),
  BUDGET_VARIABLE,
  GRACE_PERIOD_VARIABLE,
  PROBE_DETAIL_VARIABLE,
];

describe('the core README', () => {
  it('finds the option lists', () => {
    expect(options).toContain('drainDelayMs');
    expect(options).toContain('logger');
    expect(variables).toContain('LAMEDUCK_DRAIN_DELAY_MS');
  });

  it.each(options)(
    'documents the option %s (a table row or a commented line of the options block)',
    (name) => {
      expect(documented(name)).toBe(true);
    },
  );

  it.each(variables)('documents the variable %s in a table row', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });
});
