import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE.md, "Layers": the state machine, registry and probe responder run anywhere (Node, Bun, Deno,
// workers). Only src/node/ may import Node's modules; nothing in core imports a framework.
const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
const modelFiles = readdirSync(srcDir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
const importLine = /^\s*(?:import|export)\b[^;]*?from\s+['"]([^'"]+)['"]/gm;

describe('layering', () => {
  it('finds the model files', () => {
    expect(modelFiles).toContain('checks.ts');
    expect(modelFiles).toContain('respond.ts');
  });

  it.each(modelFiles)('%s imports only other model files', (name) => {
    const source = readFileSync(`${srcDir}${name}`, 'utf8');
    const specifiers = [...source.matchAll(importLine)].map((match) => match[1]);
    const outside = specifiers.filter((specifier) => !/^\.\/[a-z-]+\.js$/.test(specifier ?? ''));
    expect(outside).toEqual([]);
    expect(source).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
  });
});
