/**
 * Browser code: pictures on each component tile (issue 13 §4) — a sparkline of its lag, an up/down
 * strip (from GET /v1/console/trends) and a Green/Yellow/Red strip of the last 15 minutes (from
 * GET /v1/health/events, then the live health events). Colour is never the only carrier: every
 * picture has an aria-label and a caption that say the same in words. No backticks in here.
 */
export const CONSOLE_PICTURES_JS = String.raw`
var TREND_WINDOW_MS = 15 * 60000, SVG_NS = 'http://www.w3.org/2000/svg', PIC_W = 180, PIC_H = 26;
S.trends = new Map(); S.history = new Map(); S.trendsAbsent = false; S.sampledSinceMs = null;

function svg(tag, attrs) {
  var node = document.createElementNS(SVG_NS, tag);
  for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
  for (var i = 2; i < arguments.length; i++) if (arguments[i] != null) node.append(arguments[i]);
  return node;
}
function xOf(ms, start) { return Math.max(0, Math.min(PIC_W, (ms - start) / TREND_WINDOW_MS * PIC_W)); }
function secs(v) { return v < 10 ? v.toFixed(1) + ' s' : Math.round(v) + ' s'; }
function mins(ms) { var m = Math.round(ms / 60000); return m < 1 ? '<1 min' : m + ' min'; }

async function loadTrends() {
  if (S.trendsAbsent) return;
  try {
    var r = await api('GET', '/v1/console/trends');
    if (r.status === 404) { S.trendsAbsent = true; return; }
    if (!r.ok || !r.body) return;
    S.sampledSinceMs = r.body.sampledSince ? Date.parse(r.body.sampledSince) : null;
    S.trends = new Map(r.body.components.map(function (c) {
      return [c.name, c.points.map(function (p) { return { atMs: Date.parse(p.at), lag: p.lagSeconds, up: p.up }; })];
    }));
    renderTiles();
  } catch (e) { /* unreachable: the stream says so */ }
}

/** Transitions of the last 15 minutes, per component, from the health stream in Redis. */
async function loadHistory() {
  var since = Math.floor(serverNow() - TREND_WINDOW_MS);
  try {
    var r = await api('GET', '/v1/health/events?limit=10000&since=' + since + '-0');
    if (!r.ok || !r.body) return;
    S.history = new Map();
    r.body.events.forEach(rememberTransition);
    renderTiles();
  } catch (e) { /* unreachable: the stream says so */ }
}
function rememberTransition(t) {
  if (t.component === null) return;
  var list = S.history.get(t.component) || [];
  if (!list.some(function (x) { return x.atMs === t.atMs && x.to === t.to; })) list.push({ atMs: t.atMs, from: t.from, to: t.to });
  list.sort(function (a, b) { return a.atMs - b.atMs; });
  var start = serverNow() - TREND_WINDOW_MS;
  while (list.length > 1 && list[1].atMs < start) list.shift();
  S.history.set(t.component, list);
}

/**
 * [{from, to, status}] covering the window. Before what Warden knows (its first transition in the
 * window, or when this Warden began sampling) the strip is grey "no data": never Green by default.
 */
function healthSegments(name, current) {
  var now = serverNow(), start = now - TREND_WINDOW_MS, list = S.history.get(name) || [], out = [];
  var inWindow = list.filter(function (t) { return t.atMs >= start && t.atMs <= now; });
  var known = Math.min(inWindow.length ? inWindow[0].atMs : Infinity, S.sampledSinceMs || Infinity);
  var at = Math.max(start, isFinite(known) ? known : start);
  if (at > start) out.push({ from: start, to: at, status: 'none' });
  var status = inWindow.length ? inWindow[0].from : current;
  inWindow.forEach(function (t) { if (t.atMs > at) out.push({ from: at, to: t.atMs, status: status }); at = Math.max(at, t.atMs); status = t.to; });
  out.push({ from: at, to: now, status: status || 'none' });
  return out.filter(function (s) { return s.to > s.from; });
}

function healthStrip(name, current) {
  var start = serverNow() - TREND_WINDOW_MS, segs = healthSegments(name, current), totals = {};
  segs.forEach(function (s) { totals[s.status] = (totals[s.status] || 0) + (s.to - s.from); });
  var words = ['red', 'yellow', 'green', 'none'].filter(function (k) { return totals[k]; }).map(function (k) { return (STATUS[k] || STATUS.unknown).word + ' ' + mins(totals[k]); });
  var label = 'Health, last 15 min: ' + words.join(', ');
  return el('figure', { cls: 'pic pic-health' },
    svg('svg', { viewBox: '0 0 ' + PIC_W + ' 10', role: 'img', 'aria-label': label, 'data-segments': String(segs.length), preserveAspectRatio: 'none' },
      ...segs.map(function (s) { return svg('rect', { class: 'seg st-' + s.status, x: xOf(s.from, start).toFixed(2), y: '0', width: Math.max(0.5, xOf(s.to, start) - xOf(s.from, start)).toFixed(2), height: '10' }); })),
    el('figcaption', { text: label }));
}

function lagSparkline(points) {
  var lags = points.filter(function (p) { return p.lag !== null; });
  if (!lags.length) return el('figure', { cls: 'pic pic-lag' }, el('figcaption', { cls: 'muted', text: 'Lag: no data in the last 15 min' }));
  var start = serverNow() - TREND_WINDOW_MS, max = Math.max(1, Math.max.apply(null, lags.map(function (p) { return p.lag; })));
  var y = function (v) { return (PIC_H - 2 - v / max * (PIC_H - 4)).toFixed(2); };
  var path = lags.map(function (p) { return xOf(p.atMs, start).toFixed(2) + ',' + y(p.lag); }).join(' ');
  var last = lags[lags.length - 1].lag, peak = Math.max.apply(null, lags.map(function (p) { return p.lag; }));
  var label = 'Lag now ' + secs(last) + ', peak ' + secs(peak) + ' in 15 min';
  var marks = [1, 10].filter(function (t) { return t <= max; }).map(function (t) { return svg('line', { class: 'mark mark-' + t, x1: '0', x2: String(PIC_W), y1: y(t), y2: y(t) }); });
  return el('figure', { cls: 'pic pic-lag' },
    svg('svg', { viewBox: '0 0 ' + PIC_W + ' ' + PIC_H, role: 'img', 'aria-label': label, 'data-points': String(lags.length), preserveAspectRatio: 'none' },
      ...marks, svg('polyline', { class: 'spark', points: lags.length === 1 ? path + ' ' + PIC_W + ',' + y(last) : path })),
    el('figcaption', { text: label }));
}

function upStrip(points) {
  var known = points.filter(function (p) { return p.up !== null; });
  if (!known.length) return el('figure', { cls: 'pic pic-up' }, el('figcaption', { cls: 'muted', text: 'Up/down: no data in the last 15 min' }));
  var start = serverNow() - TREND_WINDOW_MS, bucket = known.length > 1 ? known[1].atMs - known[0].atMs : 5000;
  var down = known.filter(function (p) { return p.up === 0; }).length;
  var label = (known[known.length - 1].up ? 'Up now' : 'DOWN now') + (down ? ', down in ' + down + ' of ' + known.length + ' samples' : ', no downtime seen');
  return el('figure', { cls: 'pic pic-up' },
    svg('svg', { viewBox: '0 0 ' + PIC_W + ' 8', role: 'img', 'aria-label': label, preserveAspectRatio: 'none' },
      ...known.map(function (p) { return svg('rect', { class: 'seg st-' + (p.up ? 'green' : 'red'), x: xOf(p.atMs, start).toFixed(2), y: '0', width: Math.max(0.8, bucket / TREND_WINDOW_MS * PIC_W).toFixed(2), height: '8' }); })),
    el('figcaption', { text: label }));
}

/** Everything drawn under a tile's reasons. */
function tilePictures(c) {
  var points = S.trends.get(c.name) || [];
  return el('div', { cls: 'pics' }, healthStrip(c.name, c.status), S.trendsAbsent ? null : lagSparkline(points), S.trendsAbsent ? null : upStrip(points));
}
`;
