import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mebibytes, readBounded, withoutLargeDocuments } from './limits.js';

describe('mebibytes', () => {
  it('prints whole and fractional sizes', () => {
    expect([1.5, 8, 64, 8.31].map((value) => mebibytes(value * 1024 * 1024))).toEqual([
      '1.5 MiB',
      '8 MiB',
      '64 MiB',
      '8.3 MiB',
    ]);
  });
});

describe('withoutLargeDocuments', () => {
  it('blanks a large document line for line, so the others keep their lines', () => {
    const big = `kind: ConfigMap\ndata:\n  a: ${'x'.repeat(100)}\n  b: ${'y'.repeat(100)}\n`;
    const source = `kind: A\n---\n${big}---\nkind: B\n`;
    const { source: kept, large } = withoutLargeDocuments(source, 150);
    expect(large).toEqual([{ line: 2, bytes: big.length + 4 }]);
    expect(kept.split('\n')).toHaveLength(source.split('\n').length);
    expect(kept).toBe(`kind: A\n\n\n\n\n\n---\nkind: B\n`);
  });

  it('counts bytes, not characters', () => {
    const source = `kind: A\nvalue: ${'é'.repeat(60)}\n`;
    expect(withoutLargeDocuments(source, 100).large).toEqual([{ line: 1, bytes: 136 }]);
    expect(withoutLargeDocuments(source, 200).large).toEqual([]);
  });
});

describe('readBounded', () => {
  const root = mkdtempSync(join(tmpdir(), 'lameduck-limits-'));

  it('reads a regular file up to the limit and refuses a larger one by its size', async () => {
    writeFileSync(join(root, 'ten.yaml'), '0123456789');
    const read = await readBounded(join(root, 'ten.yaml'), 10);
    expect('bytes' in read && Buffer.from(read.bytes).toString()).toBe('0123456789');
    expect(await readBounded(join(root, 'ten.yaml'), 9)).toMatchObject({
      refused: expect.stringMatching(/^0\.0 MiB, over the 0\.0 MiB a file may have/),
    });
  });

  it('refuses a FIFO and a device without opening them for a blocking read', async () => {
    execFileSync('mkfifo', [join(root, 'pipe.yaml')]);
    expect(await readBounded(join(root, 'pipe.yaml'), 100)).toMatchObject({
      refused: 'a named pipe (FIFO), not a regular file: reading it could wait forever',
    });
    expect(await readBounded('/dev/zero', 100)).toMatchObject({
      refused: 'a character device, not a regular file: reading it may never end',
    });
  });
});
