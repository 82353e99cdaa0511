import { describe, expect, it } from 'vitest';
import { sampleRun } from '../../test/drill-results.js';
import { htmlReport, podLanes, svgReport } from './report.js';

describe('podLanes', () => {
  it("draws each pod's states and its time in the endpoints from the events", () => {
    const run = sampleRun('naive', true);
    const lanes = podLanes(run.events, 2000);
    expect(lanes.map((lane) => lane.pod)).toEqual(['web-v1-1', 'web-v2-1']);
    expect(lanes[0]?.segments.map(({ from, to }) => [from, to])).toEqual([
      [0, 50], // starting
      [50, 900], // ready
      [900, 1000], // preStop
      [1000, 1100], // SIGTERM → exit
    ]);
    expect(lanes[0]?.inEndpoints).toEqual([{ from: 60, to: 1300 }]);
    expect(lanes[1]?.inEndpoints).toEqual([{ from: 1300, to: 2000 }]);
  });
});

describe('reports', () => {
  it('is one SVG with a timeline per run, or an HTML page around it', () => {
    const runs = [sampleRun('lameduck', false), sampleRun('naive', true)];
    const svg = svgReport(runs);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('lameduck — express-demo: 3 requests, 0 failed');
    expect(svg).toContain('naive — naive-server.mjs: 3 requests, 1 failed');
    expect(svg).toContain('>web-v2-1</text>');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const html = htmlReport(runs);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>lameduck drill: lameduck 0/3 failed, naive 1/3 failed</title>');
    expect(html).toContain(svg);
  });
});
