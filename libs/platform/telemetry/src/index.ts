export * from './telemetry';
export { JsonLinesSpanExporter } from './json-lines-exporter';
