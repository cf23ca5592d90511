// A small SVG line-chart writer for dashboard panels: time on x, one line per series, shaded phases,
// and a legend. No dependencies; the output is plain SVG 1.1 that GitHub renders inline.

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const WIDTH = 760;
const HEIGHT = 300;
const MARGIN = { top: 44, right: 16, bottom: 40, left: 64 };
const LEGEND_ROW = 16;

/**
 * @param {object} panel
 * @param {string} panel.title
 * @param {string} [panel.subtitle]
 * @param {string} panel.unit        Grafana unit id: ms, s, percentunit, ops, reqps, bytes, short, none
 * @param {{ name: string, points: [number, number][] }[]} panel.series  points as [unix seconds, value]; NaN breaks a line
 * @param {{ start: number, end: number }} panel.range  unix seconds
 * @param {{ label: string, start: number, end: number }[]} [panel.phases]
 * @param {string} [panel.emptyNote]  shown instead of lines when no series has a point
 * @returns {string} SVG document
 */
export function renderLineChart(panel) {
  const series = panel.series.filter((s) => s.points.some(([, v]) => Number.isFinite(v)));
  const legendRows = Math.ceil(series.length / 3);
  const height = HEIGHT + legendRows * LEGEND_ROW;
  const plot = { x: MARGIN.left, y: MARGIN.top, w: WIDTH - MARGIN.left - MARGIN.right, h: HEIGHT - MARGIN.top - MARGIN.bottom };
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const [lo, hi] = yDomain(values, panel.unit);
  const yTicks = niceTicks(lo, hi, 5);
  const yMin = yTicks[0];
  const yMax = yTicks[yTicks.length - 1];
  const x = (t) => plot.x + ((t - panel.range.start) / (panel.range.end - panel.range.start)) * plot.w;
  const y = (v) => plot.y + plot.h - ((v - yMin) / (yMax - yMin || 1)) * plot.h;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${plot.x}" y="18" font-size="14" font-weight="bold" fill="#222">${escape(panel.title)}</text>`);
  if (panel.subtitle) out.push(`<text x="${plot.x}" y="34" fill="#666">${escape(truncate(panel.subtitle, 120))}</text>`);

  for (const phase of panel.phases ?? []) {
    const x0 = Math.max(plot.x, x(phase.start));
    const x1 = Math.min(plot.x + plot.w, x(phase.end));
    if (x1 <= x0) continue;
    out.push(`<rect x="${f(x0)}" y="${plot.y}" width="${f(x1 - x0)}" height="${plot.h}" fill="${phase.label.includes('fault') ? '#fdecea' : '#f6f7f9'}"/>`);
    out.push(`<line x1="${f(x0)}" x2="${f(x0)}" y1="${plot.y}" y2="${plot.y + plot.h}" stroke="#c8ccd2" stroke-dasharray="3,3"/>`);
    out.push(`<text x="${f(x0 + 4)}" y="${plot.y + 12}" fill="#888" font-size="10">${escape(phase.label)}</text>`);
  }

  for (const tick of yTicks) {
    out.push(`<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${f(y(tick))}" y2="${f(y(tick))}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${plot.x - 6}" y="${f(y(tick) + 4)}" text-anchor="end" fill="#555">${escape(formatValue(tick, panel.unit))}</text>`);
  }
  const span = panel.range.end - panel.range.start;
  const step = [10, 15, 30, 60, 120, 300, 600].find((s) => span / s <= 8) ?? 900;
  for (let t = 0; t <= span; t += step) {
    out.push(`<line x1="${f(x(panel.range.start + t))}" x2="${f(x(panel.range.start + t))}" y1="${plot.y + plot.h}" y2="${plot.y + plot.h + 4}" stroke="#999"/>`);
    out.push(`<text x="${f(x(panel.range.start + t))}" y="${plot.y + plot.h + 16}" text-anchor="middle" fill="#555">${clock(t)}</text>`);
  }
  out.push(`<text x="${WIDTH - MARGIN.right}" y="18" text-anchor="end" fill="#888" font-size="10">x: m:ss since the load started</text>`);
  out.push(`<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#bbb"/>`);

  if (series.length === 0) {
    out.push(`<text x="${plot.x + plot.w / 2}" y="${plot.y + plot.h / 2}" text-anchor="middle" fill="#b00" font-size="13">${escape(panel.emptyNote ?? 'no data')}</text>`);
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    let d = '';
    let pen = false;
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(x(t))},${f(y(Math.min(Math.max(v, yMin), yMax)))}`;
      pen = true;
    }
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round"/>`);
    const col = i % 3;
    const row = Math.floor(i / 3);
    const lx = plot.x + col * (plot.w / 3);
    const ly = HEIGHT - 6 + row * LEGEND_ROW;
    out.push(`<rect x="${f(lx)}" y="${ly - 8}" width="10" height="3" fill="${color}"/>`);
    out.push(`<text x="${f(lx + 14)}" y="${ly - 4}" fill="#333">${escape(truncate(s.name, 38))}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function yDomain(values, unit) {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(0, ...values);
  let hi = Math.max(...values);
  if (unit === 'percentunit') hi = Math.max(hi, 0.05);
  if (hi === lo) hi = lo + 1;
  return [lo, hi];
}

/** Round tick values (1, 2, 5 x 10^n) covering [lo, hi]. */
export function niceTicks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function formatValue(value, unit) {
  const n = (v, digits = 3) => Number(v.toPrecision(digits)).toString();
  switch (unit) {
    case 'ms':
      return value >= 1000 ? `${n(value / 1000)} s` : `${n(value)} ms`;
    case 's':
      return value < 1 && value !== 0 ? `${n(value * 1000)} ms` : `${n(value)} s`;
    case 'percentunit':
      return `${n(value * 100)}%`;
    case 'ops':
    case 'reqps':
      return `${n(value)}/s`;
    case 'bytes':
      return value >= 1048576 ? `${n(value / 1048576)} MiB` : value >= 1024 ? `${n(value / 1024)} KiB` : `${n(value)} B`;
    default:
      return n(value);
  }
}

function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;
}

function f(value) {
  return Number(value.toFixed(1));
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function escape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
