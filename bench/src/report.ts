import { cpus, loadavg, totalmem } from 'node:os';
import type { Scenario } from './settings.js';
import type { Framework, Variant } from './spec.js';

/** One JSON row: which server, and figures with their unit in the name. */
export interface Row {
  scenario: Scenario;
  framework: Framework;
  variant: Variant;
  /** Figures are scalars; `rounds…` arrays carry every round's value, for readers who doubt a median. */
  [figure: string]: string | number | boolean | null | number[];
}

export interface Machine {
  cpus: number;
  model: string;
  totalMemBytes: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: above ~2 means others were using the CPUs too. */
  loadAverageAtStart: number;
}

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    totalMemBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: round(loadavg()[0] ?? 0, 2),
  };
}

export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface Column {
  title: string;
  value: (row: Row) => string;
  /** Text columns are left-aligned, numbers right-aligned. */
  text?: boolean;
}

export const show = {
  text: (key: string) => (row: Row) => String(row[key] ?? ''),
  number:
    (key: string, digits = 0) =>
    (row: Row) => {
      const value = row[key];
      if (typeof value !== 'number') return value === null || value === undefined ? '—' : String(value);
      if (!Number.isFinite(value)) return '—';
      return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    },
  /** A relative spread as ±half of it: 0.04 (max − min over the median) shows as ±2.0%. */
  spread: (key: string) => (row: Row) => {
    const value = row[key];
    return typeof value === 'number' && Number.isFinite(value) ? `±${((value * 100) / 2).toFixed(1)}%` : '—';
  },
  percent: (key: string) => (row: Row) => {
    const value = row[key];
    return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '—';
  },
};

/** A GitHub-flavoured Markdown table: readable in a terminal, pasteable into the README. */
export function table(columns: readonly Column[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, 3, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const pad = (text: string, index: number) =>
    columns[index]?.text ? text.padEnd(widths[index] ?? 0) : text.padStart(widths[index] ?? 0);
  const line = (values: readonly string[]) => `| ${values.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((width, index) => (columns[index]?.text ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(columns.map((column) => column.title)), rule, ...cells.map((values) => line(values))].join(
    '\n',
  );
}
