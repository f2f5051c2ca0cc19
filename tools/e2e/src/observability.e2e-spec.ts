/**
 * Every metric a Grafana dashboard or a Prometheus alert reads is exported by a running service:
 * a renamed metric breaks this test instead of silently emptying a panel or an alert.
 */
import { ALL_SERVICES, type RunningStack, startStack, testEnvironment } from '@sextant/testing';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const OBSERVABILITY = path.resolve(__dirname, '../../../k8s/components/observability');
/** Series Prometheus makes itself rather than scraping them. */
const SYNTHETIC = new Set(['up']);
const PROMQL_WORDS = new Set(
  (
    'sum min max avg count stddev stdvar topk bottomk quantile count_values group by without on ignoring ' +
    'group_left group_right and or unless bool offset rate irate increase delta idelta deriv predict_linear ' +
    'histogram_quantile label_values label_replace label_join abs ceil floor round clamp clamp_min clamp_max ' +
    'vector scalar time absent absent_over_time avg_over_time max_over_time min_over_time sum_over_time ' +
    'count_over_time last_over_time resets changes sort sort_desc exp ln log2 log10 sqrt'
  ).split(' '),
);

/** Metric names in a PromQL expression: identifiers outside label matchers, groupings and strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\$\w+/g, '');
  const words = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w)))];
}

function usedMetrics(): Map<string, string> {
  const used = new Map<string, string>();
  const dashboards = path.join(OBSERVABILITY, 'dashboards');
  for (const file of readdirSync(dashboards)) {
    const dashboard = JSON.parse(readFileSync(path.join(dashboards, file), 'utf8'));
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        for (const name of metricNames(target.expr)) used.set(name, `${file}: ${panel.title}`);
    for (const variable of dashboard.templating?.list ?? [])
      if (typeof variable.query === 'string' && variable.type === 'query')
        for (const name of metricNames(variable.query.replace(/^label_values\((\w+).*$/, '$1')))
          used.set(name, `${file}: variable ${variable.name}`);
  }
  const rules = parseYaml(readFileSync(path.join(OBSERVABILITY, 'alerts.yaml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  for (const group of rules.groups)
    for (const rule of group.rules)
      for (const name of metricNames(rule.expr)) used.set(name, `alerts.yaml: ${rule.alert}`);
  return used;
}

/** Sample names a /metrics page can carry: each family, and a histogram's _bucket/_sum/_count. */
function exportedNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

describe('observability', () => {
  it('finds metric names in PromQL the way Prometheus reads them', () => {
    expect(
      metricNames('sum by (service, le) (rate(http_x_bucket{status=~"5..", service="$service"}[5m])) / up'),
    ).toEqual(['http_x_bucket', 'up']);
  });

  describe('against the running services', () => {
    let stack: RunningStack;
    beforeAll(async () => {
      stack = await startStack(testEnvironment());
    });
    afterAll(() => stack?.stop());

    it('exports every metric the dashboards and alerts use', async () => {
      const exported = new Set<string>(SYNTHETIC);
      for (const service of ALL_SERVICES) {
        const response = await fetch(`${stack.urls[service]}/metrics`);
        expect(response.status).toBe(200);
        for (const name of exportedNames(await response.text())) exported.add(name);
      }
      const used = usedMetrics();
      expect(used.size).toBeGreaterThan(5);
      const missing = [...used]
        .filter(([name]) => !exported.has(name))
        .map(([name, where]) => `${name} (${where})`);
      expect(missing).toEqual([]);
    });
  });
});
