export * from './telemetry';
export { JsonLinesSpanExporter, readSpanFile, type RecordedSpan } from './json-lines-exporter';
