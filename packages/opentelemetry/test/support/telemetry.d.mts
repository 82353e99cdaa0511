import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

export interface MetricPoint {
  attributes: Record<string, unknown>;
  value: number | { count: number; sum: number };
}

export interface SpanView {
  name: string;
  parent: string | null;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown>; atMs: number }[];
  /** SpanStatusCode: 0 unset, 1 ok, 2 error. */
  status: number;
  startMs: number;
  endMs: number;
}

export function createTelemetry(): {
  meterProvider: MeterProvider;
  tracerProvider: BasicTracerProvider;
  metrics(): Promise<Record<string, { unit: string; points: MetricPoint[] }>>;
  spans(): SpanView[];
};
