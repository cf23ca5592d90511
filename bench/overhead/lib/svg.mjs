// A small line chart written by hand (no charting dependency): latency against offered rate, one colour per variant,
// p50 solid and p99 dashed, log-scaled latency axis.
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

export function latencyChart({ title, series, width = 760, height = 420 }) {
  const m = { left: 64, right: 230, top: 40, bottom: 48 };
  const points = series.flatMap((s) => s.points).filter((p) => p.p50 !== null);
  const xs = points.map((p) => p.rate);
  const ys = points.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0);
  const xMax = Math.max(...xs) * 1.05;
  const yMin = Math.max(0.1, Math.min(...ys) / 1.3);
  const yMax = Math.max(...ys) * 1.3;
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const x = (v) => m.left + (v / xMax) * pw;
  const y = (v) => m.top + ph - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${m.left}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`);
  // Axes, with decade and half-decade ticks on the log axis.
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="black"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="black"/>`);
  for (let d = Math.floor(Math.log10(yMin)); d <= Math.ceil(Math.log10(yMax)); d++) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** d;
      if (v < yMin || v > yMax) continue;
      out.push(`<line x1="${m.left}" y1="${y(v)}" x2="${m.left + pw}" y2="${y(v)}" stroke="#ddd"/>`);
      out.push(`<text x="${m.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
    }
  }
  const step = niceStep(xMax / 6);
  for (let v = 0; v <= xMax; v += step) {
    out.push(`<line x1="${x(v)}" y1="${m.top + ph}" x2="${x(v)}" y2="${m.top + ph + 4}" stroke="black"/>`);
    out.push(`<text x="${x(v)}" y="${m.top + ph + 18}" text-anchor="middle">${v}</text>`);
  }
  out.push(`<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">offered rate (requests/s)</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">latency (ms, log scale)</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.filter((p) => p.p50 !== null).sort((a, b) => a.rate - b.rate);
    for (const [key, dash] of [['p50', ''], ['p99', ' stroke-dasharray="5 4"']]) {
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${x(p.rate).toFixed(1)} ${y(Math.max(p[key], yMin)).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      for (const p of pts) out.push(`<circle cx="${x(p.rate).toFixed(1)}" cy="${y(Math.max(p[key], yMin)).toFixed(1)}" r="2.5" fill="${color}"/>`);
    }
    const ly = m.top + 10 + i * 18;
    out.push(`<line x1="${m.left + pw + 16}" y1="${ly}" x2="${m.left + pw + 40}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${m.left + pw + 46}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  const ly = m.top + 14 + series.length * 18;
  out.push(`<text x="${m.left + pw + 16}" y="${ly + 4}" fill="#555">solid p50, dashed p99</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw);
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
