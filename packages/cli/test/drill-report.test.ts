import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { htmlReport } from '../src/drill/report.js';
import type { RunResult } from '../src/drill/run.js';
import type { DrillEvent } from '../src/drill/timeline.js';
import { chromiumPath, openPage, pngSize } from './drill-chromium.js';
import { sampleRun } from './drill-results.js';

// The report as a person sees it, in headless Chromium: it fits a 1,000-pixel-wide window, the
// runs share one time axis, and no label sits on a bar. test/drill-tools-setup.ts installs
// Debian's chromium when it is missing; where it cannot, the test fails with the reason.

/** Three runs as a drill makes them, with rollouts starting at different times on their own clocks. */
function runs(): RunResult[] {
  return (['naive', 'naive-prestop', 'lameduck'] as const).map((mode, index) => {
    const run = sampleRun(mode, mode !== 'lameduck');
    const shift = index * 700;
    // A long pod name: its label must be cut short rather than reach the bars.
    const rename = (pod: string | undefined) =>
      pod === 'web-v2-1' ? 'a-deployment-with-a-very-long-name-v2-1' : pod;
    const events: DrillEvent[] = [{ atMs: 0, kind: 'load-started' }];
    for (const event of run.events) {
      const pod = rename(event.pod);
      events.push({ ...event, atMs: event.atMs + shift, ...(pod === undefined ? {} : { pod }) });
    }
    return {
      ...run,
      events,
      records: run.records.map((record) => ({
        ...record,
        startMs: record.startMs + shift,
        endMs: record.endMs + shift,
      })),
    } as RunResult;
  });
}

describe('the HTML report in headless Chromium', () => {
  beforeAll(() => {
    const install = inject('drillToolsMissing');
    if (!chromiumPath()) throw new Error(`no chromium${install === undefined ? '' : `: ${install}`}`);
  });

  it('fits a 1,000-pixel-wide window, shares one time axis, and keeps labels off the bars', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lameduck-report-')), 'drill.html');
    writeFileSync(file, htmlReport(runs()));
    const page = await openPage(pathToFileURL(file).href, 1000, 700);
    try {
      const layout = await page.evaluate<{
        scrollWidth: number;
        overlaps: string[];
        ticks: Record<string, number[]>;
        labels: number;
        bars: number;
        outside: number;
      }>(`(async () => {
        // Text boxes are measured with the fonts the page ends up with, not a fallback.
        await document.fonts.ready;
        const box = (element) => element.getBoundingClientRect();
        const bars = [...document.querySelectorAll('rect.bar')].map(box);
        const texts = [...document.querySelectorAll('svg text')];
        const overlaps = [];
        for (const text of texts) {
          const a = box(text);
          for (const b of bars) {
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
              overlaps.push(text.textContent);
              break;
            }
          }
        }
        const ticks = {};
        for (const tick of document.querySelectorAll('text.tick')) {
          const ms = tick.getAttribute('data-ms');
          (ticks[ms] ??= []).push(Math.round(box(tick).left + box(tick).width / 2));
        }
        const axis = box(document.querySelector('svg line'));
        const spans = [...bars, ...[...document.querySelectorAll('line.endpoint')].map(box)];
        const outside = spans.filter((bar) => bar.left < axis.left - 0.5 || bar.right > axis.right + 0.5).length;
        return { scrollWidth: document.documentElement.scrollWidth, overlaps, ticks, labels: texts.length, bars: bars.length, outside };
      })()`);
      expect(layout.bars).toBeGreaterThan(10);
      expect(layout.labels).toBeGreaterThan(20);
      // No horizontal scrolling in a 1,000-pixel window.
      expect(layout.scrollWidth).toBeLessThanOrEqual(1000);
      expect(layout.overlaps).toEqual([]);
      // Bars stay within the time axis.
      expect(layout.outside).toBe(0);
      // One axis: each tick (0 s is the rollout's start) is at the same x in every run.
      expect(layout.ticks['0']).toHaveLength(3);
      for (const positions of Object.values(layout.ticks)) expect(new Set(positions).size).toBe(1);
      const png = await page.screenshot();
      const size = pngSize(png);
      expect(size.width).toBe(1000);
      expect(size.height).toBeGreaterThan(400);
      writeFileSync(join(tmpdir(), 'lameduck-drill-report.png'), png);
    } finally {
      await page.close();
    }
  }, 60_000);
});
