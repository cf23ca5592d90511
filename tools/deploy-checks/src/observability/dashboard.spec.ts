import fs from 'node:fs';
import path from 'node:path';
import { AGREED_METRICS, prometheusName, prometheusSeries } from '@switchyard/telemetry';
import { parse as parseYaml } from 'yaml';
import { WORKSPACE_ROOT } from '../workspace';

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; legendFormat?: string }[];
}

const dashboard = JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'deploy/grafana/switchyard-dashboard.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string }[] };
};
const alerts = parseYaml(fs.readFileSync(path.join(WORKSPACE_ROOT, 'deploy/prometheus/alerts.yaml'), 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; for: string; labels: { severity: string }; annotations: { summary: string; runbook: string } }[] }[];
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const rules = alerts.groups.flatMap((g) => g.rules);

const KNOWN_SERIES = new Set([...AGREED_METRICS.flatMap((metric) => prometheusSeries(metric)), 'up']);
const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'rate', 'irate', 'increase', 'histogram_quantile', 'ignoring', 'on', 'group_left', 'group_right', 'offset', 'and', 'or', 'unless', 'bool', 'deriv', 'le']);

/** Metric names an expression reads: identifiers not inside {...} or [...], not functions or keywords, not labels in by (...). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\boffset\s+\d+[smhdwy]/g, ' ')
    .replace(/\b(by|without|ignoring|on|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word));
}

/** Label names an expression groups or filters by. */
function labelNames(expr: string): string[] {
  const grouped = [...expr.matchAll(/\b(?:by|without|ignoring|on)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()));
  const matched = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!));
  return [...grouped, ...matched].filter(Boolean);
}

const KNOWN_LABELS = new Set(['le', 'job', 'instance', ...AGREED_METRICS.flatMap((metric) => metric.attributes.map(prometheusName))]);

describe('Grafana dashboard deploy/grafana/switchyard-dashboard.json', () => {
  it('queries Prometheus through a datasource variable, so it imports into any Grafana', () => {
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    for (const panel of panels) expect([panel.title, panel.datasource]).toEqual([panel.title, { type: 'prometheus', uid: '${datasource}' }]);
  });

  it('has a titled, described panel with at least one query for every graph, and unique ids', () => {
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect([panel.title, Boolean(panel.description), (panel.targets ?? []).length > 0]).toEqual([panel.title, true, true]);
    }
  });

  it('reads only agreed metrics, by the labels their attributes become', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(exprs.flatMap(({ panel, expr }) => metricNames(expr).filter((name) => !KNOWN_SERIES.has(name)).map((name) => `${panel}: ${name}`))).toEqual([]);
    expect(exprs.flatMap(({ panel, expr }) => labelNames(expr).filter((label) => !KNOWN_LABELS.has(label)).map((label) => `${panel}: ${label}`))).toEqual([]);
  });

  it('shows every agreed metric somewhere', () => {
    const used = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))));
    expect(AGREED_METRICS.filter((metric) => !prometheusSeries(metric).some((series) => used.has(series))).map((m) => m.name)).toEqual([]);
  });

  it('lays panels out without overlaps on the 24-column grid', () => {
    for (const a of panels) {
      expect(a.gridPos.x + a.gridPos.w).toBeLessThanOrEqual(24);
      for (const b of panels) {
        if (a === b) continue;
        const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect([a.title, b.title, overlap]).toEqual([a.title, b.title, false]);
      }
    }
  });
});

describe('alert rules deploy/prometheus/alerts.yaml', () => {
  it('give every alert a severity of page or ticket, a pending period, a summary and a runbook', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect([rule.alert, ['page', 'ticket'].includes(rule.labels.severity), /^\d+[smh]$/.test(rule.for), Boolean(rule.annotations.summary)]).toEqual([rule.alert, true, true, true]);
      expect(rule.annotations.runbook).toBe('docs/operations.md#alerts');
    }
  });

  it('read only agreed metrics', () => {
    expect(rules.flatMap((rule) => metricNames(rule.expr).filter((name) => !KNOWN_SERIES.has(name)).map((name) => `${rule.alert}: ${name}`))).toEqual([]);
    expect(rules.flatMap((rule) => labelNames(rule.expr).filter((label) => !KNOWN_LABELS.has(label)).map((label) => `${rule.alert}: ${label}`))).toEqual([]);
  });

  it('are each explained in docs/operations.md', () => {
    const operations = fs.readFileSync(path.join(WORKSPACE_ROOT, 'docs/operations.md'), 'utf8');
    expect(rules.map((rule) => rule.alert).filter((alert) => !operations.includes(alert))).toEqual([]);
  });
});
