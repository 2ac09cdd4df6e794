/**
 * Browser code, part 1: drawing. Plain ES2020 in a string (no bundler; see console-page.ts). Every
 * value from the server goes into the page through textContent, never innerHTML: alert labels come
 * from pushed samples and must not become markup. No backticks in here (the TS template ends at one).
 */
export const CONSOLE_VIEW_JS = String.raw`
var STATUS = {
  green: { word: 'GREEN', icon: '\u2713', detail: 'All critical components healthy' },
  yellow: { word: 'YELLOW', icon: '\u25B2', detail: 'Degraded' },
  red: { word: 'RED', icon: '\u2715', detail: 'Critical' },
  none: { word: 'NO DATA', icon: '?', detail: 'Waiting for the first snapshot from Warden\u2026' },
  unknown: { word: 'UNKNOWN', icon: '\u2026', detail: '' }
};
var $ = function (id) { return document.getElementById(id); };

function el(tag, attrs) {
  var node = document.createElement(tag);
  for (var k in attrs || {}) {
    if (k === 'text') node.textContent = attrs[k];
    else if (k === 'cls') node.className = attrs[k];
    else if (k === 'on') node.addEventListener('click', attrs[k]);
    else node.setAttribute(k, attrs[k]);
  }
  for (var i = 2; i < arguments.length; i++) if (arguments[i] != null) node.append(arguments[i]);
  return node;
}
function pill(status) {
  var s = STATUS[status] || STATUS.unknown;
  return el('span', { cls: 'pill st-' + status, text: s.icon + ' ' + s.word });
}
function pad(n) { return n < 10 ? '0' + n : '' + n; }
function clock(ms) { var d = new Date(ms); return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
function ago(ms) {
  var s = Math.max(0, Math.round((serverNow() - ms) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  return Math.floor(s / 3600) + ' h ago';
}
function when(v) { var ms = typeof v === 'number' ? v : Date.parse(v); return isFinite(ms) ? clock(ms) + ' (' + ago(ms) + ')' : '\u2014'; }
function reasonText(r) { return r.kind === 'stale' ? (r.summary || 'no fresh data (stale)') : (r.summary || r.alert || 'alert'); }
function replace(node, children) { node.replaceChildren.apply(node, children); }

function renderBanner() {
  var b = $('banner'), h = S.health, status, detail, meta = '';
  if (!S.snapshotSeen) { status = 'none'; detail = STATUS.none.detail; }
  else if (!S.connected) {
    status = 'unknown';
    detail = 'Stream disconnected \u2014 the status below may be out of date.' + (h ? ' Last known: ' + h.status.toUpperCase() + ' at ' + clock(h.evaluatedAtMs) + '.' : '');
  } else if (!h) { status = 'none'; detail = 'Warden has not evaluated health yet.'; }
  else if (serverNow() - h.evaluatedAtMs > STALE_AFTER_MS) {
    status = 'unknown';
    detail = 'Stale: health was last evaluated ' + ago(h.evaluatedAtMs) + ' (last known ' + h.status.toUpperCase() + ').';
  } else {
    status = h.status;
    var why = (h.reasons || []).map(reasonText);
    detail = status === 'green' ? STATUS.green.detail : STATUS[status].detail + ': ' + (why.slice(0, 3).join('; ') || 'see components') + (why.length > 3 ? ' (+' + (why.length - 3) + ' more)' : '');
  }
  if (h) meta = 'Evaluated ' + ago(h.evaluatedAtMs) + '\n' + h.components.length + ' components \u00B7 ' + S.alerts.size + ' active alerts';
  b.className = 'banner st-' + status;
  $('banner-icon').textContent = STATUS[status].icon;
  $('banner-status').textContent = status === 'unknown' ? (S.connected ? 'STALE' : 'DISCONNECTED') : STATUS[status].word;
  $('banner-detail').textContent = detail;
  $('banner-meta').textContent = meta;
  document.title = (status === 'none' || status === 'unknown' ? '' : STATUS[status].word + ' \u00B7 ') + 'Warden';
  $('main').classList.toggle('disconnected', S.snapshotSeen && !S.connected);
}

function renderTiles() {
  var h = S.health;
  if (!h) return replace($('tiles'), [el('p', { cls: 'empty', text: 'No data yet.' })]);
  replace($('tiles'), h.components.map(function (c) {
    var reasons = (c.reasons || []).map(function (r) { return el('li', { text: reasonText(r) }); });
    return el('article', { cls: 'tile st-' + c.status, 'data-component': c.name },
      el('div', { cls: 'tile-head' }, el('span', { cls: 'tile-name', text: c.name }), pill(c.status)),
      c.critical ? el('span', { cls: 'badge', text: 'critical' }) : el('span', { cls: 'badge', text: 'non-critical' }),
      reasons.length ? el('ul', { cls: 'reasons' }, ...reasons) : el('p', { cls: 'ok-note', text: 'No active alerts' }),
      tilePictures(c));
  }));
}

function renderFeed() {
  $('feed').replaceChildren.apply($('feed'), S.feed.length ? S.feed.map(function (f) {
    return el('li', { cls: 'st-' + (f.status || 'none') }, el('time', { text: clock(f.atMs) }), el('span', { cls: 'what' }, f.status ? pill(f.status) : null, ' ', f.text));
  }) : [el('li', { cls: 'empty', text: 'No transitions since this page opened.' })]);
}

function renderAlerts() {
  var rows = Array.from(S.alerts.values()).sort(function (a, b) { return b.activeAtMs - a.activeAtMs; });
  $('alerts-count').textContent = String(rows.length);
  replace($('alerts-body'), rows.length ? rows.map(function (a) {
    var l = a.labels || {};
    return el('tr', {}, el('td', { text: a.name }), el('td', { text: l.component || '\u2014' }),
      el('td', {}, l.health ? pill(l.health) : null, ' ', l.severity || ''), el('td', { text: a.state }),
      el('td', { text: when(a.firedAtMs || a.activeAtMs) }), el('td', { text: (a.annotations || {}).summary || '' }), el('td', {}, silenceButton(a)));
  }) : [el('tr', {}, el('td', { colspan: '7', cls: 'empty', text: S.snapshotSeen ? 'No active alerts.' : 'No data yet.' }))]);
}
`;
