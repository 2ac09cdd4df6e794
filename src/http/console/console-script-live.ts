/**
 * Browser code, part 2: the stream, state and operator actions. The stream is read with fetch()
 * rather than EventSource so the token travels in the Authorization header (not the URL) and a
 * 401/403 can be told apart from an outage. Reconnects back off exponentially with jitter.
 */
export const CONSOLE_LIVE_JS = String.raw`
var STALE_AFTER_MS = 30000, SILENCE_TIMEOUT_MS = 35000, FEED_MAX = 200, POLL_MS = 5000;
var S = { token: sessionStorage.getItem('warden.token') || '', health: null, alerts: new Map(), feed: [],
  connected: false, snapshotSeen: false, gen: 0, retryTimer: 0, skewMs: 0, backoffMs: 1000, lastByteAt: 0, ctrl: null, retryAt: 0,
  sections: { trading: 'unknown', incidents: 'unknown', silences: 'unknown', remediations: 'unknown', maintenance: 'unknown' } };
function serverNow() { return Date.now() + S.skewMs; }
/** Reads use the read token, or the operate token when only that was given (operate implies read). */
function authHeaders(extra) { var h = Object.assign({}, extra || {}), t = S.token || S.operateToken; if (t) h.Authorization = 'Bearer ' + t; return h; }

function setConn(kind, text) {
  var c = $('conn'); c.className = 'conn conn-' + kind; c.textContent = text;
  S.connected = kind === 'live'; renderBanner();
}
function toast(text) {
  var t = $('toast'); t.textContent = text; t.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(function () { t.hidden = true; }, 6000);
}
function showTokenForm(message) { $('token-form').hidden = false; $('token-error').textContent = message || ''; $('token-input').focus(); }

async function connect() {
  var gen = ++S.gen; S.ctrl = new AbortController(); S.retryAt = 0;
  var again = function (why) { if (gen === S.gen) retry(why); };
  setConn('connecting', 'Connecting\u2026');
  var res;
  try { res = await fetch('/v1/stream', { headers: authHeaders(), signal: S.ctrl.signal, cache: 'no-store' }); }
  catch (e) { return again('network error'); }
  if (res.status === 401 || res.status === 403) {
    setConn('auth', 'Token required');
    return showTokenForm(res.status === 403 ? 'This token lacks the read scope.' : S.token ? 'That token was not accepted.' : '');
  }
  if (!res.ok || !res.body) return again('HTTP ' + res.status);
  $('token-form').hidden = true; $('token-btn').hidden = !S.token;
  S.lastByteAt = Date.now();
  var reader = res.body.pipeThrough(new TextDecoderStream()).getReader(), buf = '';
  try {
    for (;;) {
      var r = await reader.read();
      if (r.done) break;
      S.lastByteAt = Date.now(); buf += r.value;
      for (var i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) { onBlock(buf.slice(0, i)); buf = buf.slice(i + 2); }
    }
  } catch (e) { /* the stream broke; reconnect below */ }
  again('stream ended');
}
function retry(why) {
  var delay = Math.min(30000, S.backoffMs) * (0.8 + Math.random() * 0.4);
  S.backoffMs = Math.min(30000, S.backoffMs * 2); S.retryAt = Date.now() + delay;
  setConn('down', 'Disconnected (' + why + ')');
  S.retryTimer = setTimeout(connect, delay);
}
function onBlock(block) {
  var name = 'message', data = '';
  block.split('\n').forEach(function (line) {
    if (!line || line[0] === ':') return;
    var c = line.indexOf(':'), field = c < 0 ? line : line.slice(0, c), v = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
    if (field === 'event') name = v; else if (field === 'data') data += (data ? '\n' : '') + v;
  });
  if (data) onEvent(name, JSON.parse(data));
}

function addFeed(atMs, status, text) { S.feed.unshift({ atMs: atMs, status: status, text: text }); S.feed.length = Math.min(S.feed.length, FEED_MAX); renderFeed(); }
var HANDLERS = {
  snapshot: function (d) {
    S.skewMs = d.sentAtMs - Date.now(); S.health = d.health; S.alerts = new Map(d.alerts.map(function (a) { return [a.fingerprint, a]; }));
    if (!S.snapshotSeen || !S.connected) { S.snapshotSeen = true; S.backoffMs = 1000; setConn('live', 'Live'); refreshSections(); loadHistory(); loadTrends(); }
  },
  health: function (t) {
    var h = S.health, label = t.component === null ? 'Exchange' : t.component;
    rememberTransition(t);
    addFeed(t.atMs, t.to, label + ' ' + t.from.toUpperCase() + ' \u2192 ' + t.to.toUpperCase() + (t.reasons.length ? ': ' + t.reasons.map(reasonText).join('; ') : ''));
    if (!h) return;
    h.evaluatedAtMs = Math.max(h.evaluatedAtMs, t.atMs);
    if (t.component === null) { h.status = t.to; h.reasons = t.reasons; return; }
    var c = h.components.find(function (x) { return x.name === t.component; });
    if (c) { c.status = t.to; c.reasons = t.reasons; } else h.components.push({ name: t.component, critical: false, status: t.to, reasons: t.reasons });
  },
  alert: function (t) {
    if (t.to === 'inactive') S.alerts.delete(t.alert.fingerprint); else S.alerts.set(t.alert.fingerprint, t.alert);
    var where = t.alert.labels.component ? ' on ' + t.alert.labels.component : '';
    if (t.to === 'firing') addFeed(t.atMs, t.alert.labels.health, 'Alert ' + t.alert.name + where + ' firing');
    if (t.from === 'firing' && t.to === 'inactive') addFeed(t.atMs, 'green', 'Alert ' + t.alert.name + where + ' resolved');
  },
  'rules-loaded': function (r) { addFeed(r.atMs, null, 'Rules loaded: ' + r.rules + ' rules in ' + r.groups + ' groups'); }
};
function onEvent(name, data) {
  var handle = HANDLERS[name];
  // Kinds the console does not draw itself (incident, remediation, ...) refresh the sections.
  if (handle) handle(data); else refreshSections();
  renderAll();
}
function renderAll() { renderBanner(); renderTiles(); renderAlerts(); }

async function api(method, url, body) {
  var res = await fetch(url, { method: method, headers: authHeaders(body ? { 'Content-Type': 'application/json' } : {}), body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
  var json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  return { status: res.status, ok: res.ok, body: json };
}
async function refreshSections() {
  for (var id in SECTIONS) {
    if (S.sections[id] === 'absent') continue;
    try {
      var r = await api('GET', SECTIONS[id].url);
      if (r.status === 404) { S.sections[id] = 'absent'; $(id).hidden = true; continue; }
      if (!r.ok) continue;
      S.sections[id] = 'present'; $(id).hidden = false; SECTIONS[id].render(r.body);
    } catch (e) { /* Warden unreachable: the stream's reconnect says so */ }
  }
}
function askReason(title, text) {
  var d = $('reason-dialog');
  $('reason-title').textContent = title; $('reason-text').textContent = text; $('reason-input').value = '';
  d.showModal();
  return new Promise(function (resolve) {
    d.addEventListener('close', function () { resolve(d.returnValue === 'ok' ? $('reason-input').value.trim() : null); }, { once: true });
  });
}

function init() {
  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault(); S.token = $('token-input').value.trim(); sessionStorage.setItem('warden.token', S.token);
    clearTimeout(S.retryTimer); S.gen++; if (S.ctrl) S.ctrl.abort(); S.backoffMs = 1000; connect();
  });
  $('token-btn').addEventListener('click', function () { showTokenForm(''); });
  initOperate();
  setInterval(function () {
    if (S.connected && Date.now() - S.lastByteAt > SILENCE_TIMEOUT_MS && S.ctrl) S.ctrl.abort();
    if (!S.connected && S.retryAt) $('conn').textContent = $('conn').textContent.replace(/ \u2014 retrying.*$/, '') + ' \u2014 retrying in ' + Math.max(0, Math.ceil((S.retryAt - Date.now()) / 1000)) + ' s';
    renderBanner();
  }, 1000);
  setInterval(function () { if (S.connected) { refreshSections(); loadTrends(); } }, POLL_MS);
  renderAll(); renderFeed(); connect();
}
`;
