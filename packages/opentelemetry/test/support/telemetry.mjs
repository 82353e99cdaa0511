// The real OpenTelemetry SDK with in-memory exporters, and a compact view of what it recorded.
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export function createTelemetry() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when asked (forceFlush), never on a timer during the test.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });

  /** Every metric by name: its unit and points (a number, or a histogram's count, sum and bucket counts). */
  async function metrics() {
    metricExporter.reset();
    await reader.forceFlush();
    const out = {};
    for (const resource of metricExporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) {
          out[metric.descriptor.name] = {
            unit: metric.descriptor.unit,
            points: metric.dataPoints.map((point) => ({
              attributes: point.attributes,
              value:
                metric.dataPointType === DataPointType.HISTOGRAM
                  ? { count: point.value.count, sum: point.value.sum }
                  : point.value,
            })),
          };
        }
      }
    }
    return out;
  }

  /** Finished spans: name, parent's name, attributes, events, status and times in ms. */
  function spans() {
    const finished = spanExporter.getFinishedSpans();
    const byId = new Map(finished.map((span) => [span.spanContext().spanId, span]));
    const ms = ([seconds, nanos]) => seconds * 1000 + nanos / 1e6;
    return finished.map((span) => ({
      name: span.name,
      parent: byId.get(span.parentSpanContext?.spanId ?? '')?.name ?? null,
      attributes: span.attributes,
      events: span.events.map((event) => ({
        name: event.name,
        attributes: event.attributes ?? {},
        atMs: ms(event.time),
      })),
      status: span.status.code,
      startMs: ms(span.startTime),
      endMs: ms(span.endTime),
    }));
  }

  return { meterProvider, tracerProvider, metrics, spans };
}
