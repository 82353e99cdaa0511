import { describe, expect, it } from 'vitest';
import { alignColumns } from './columns.js';

describe('alignColumns', () => {
  it('pads labels on the right and figures on the left, three spaces apart, no trailing space', () => {
    expect(
      alignColumns([
        ['', 'naive', 'lameduck'],
        ['failed', '173', '0'],
        ['latency p99', '12 ms', ''],
      ]),
    ).toEqual(['              naive   lameduck', 'failed          173          0', 'latency p99   12 ms']);
  });

  it('prints nothing for no rows', () => {
    expect(alignColumns([])).toEqual([]);
  });
});
