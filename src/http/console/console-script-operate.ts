/**
 * Browser code: the console acts (issue 13 §4). An operate token is entered in the page, checked
 * against GET /v1/whoami, kept in sessionStorage (gone when the tab closes) and sent as a bearer
 * token with every action; without one the page is read-only and says so. Actions: acknowledge and
 * resolve an incident, silence (matchers prefilled from an alert, a duration), expire a silence,
 * approve / reject a remediation awaiting approval, end a maintenance window, resume trading —
 * each with its reason where the API takes one, each audited by Warden under the token's name.
 * No backticks in here (the TS template ends at one).
 */
export const CONSOLE_OPERATE_JS = String.raw`
var OPERATE_KEY = 'warden.operateToken';
S.operateToken = sessionStorage.getItem(OPERATE_KEY) || ''; S.operator = null;
var SILENCE_DURATIONS = [['30m', 30], ['1h', 60], ['2h', 120], ['4h', 240], ['8h', 480], ['24h', 1440], ['3d', 4320]];

function canOperate() { return S.operator !== null; }
function showOperateForm(message) { $('operate-form').hidden = false; $('operate-error').textContent = message || ''; $('operate-input').value = ''; $('operate-input').focus(); }

/** Checks a token's scopes; only an operate (or admin) token turns the actions on. */
async function verifyOperator(token, quiet) {
  var res, body = null;
  try { res = await fetch('/v1/whoami', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' }); }
  catch (e) { if (!quiet) $('operate-error').textContent = 'Warden did not answer; try again.'; return; }
  try { body = await res.json(); } catch (e) { body = null; }
  var refuse = function (message) {
    S.operator = null; S.operateToken = ''; sessionStorage.removeItem(OPERATE_KEY); renderOperator();
    if (!quiet) showOperateForm(message);
  };
  if (res.status === 401) return refuse('That operate token was not accepted.');
  if (!res.ok || !body) return refuse('Could not check the token (HTTP ' + res.status + ').');
  var scopes = body.scopes || [];
  if (scopes.indexOf('operate') < 0 && scopes.indexOf('admin') < 0) return refuse('This token (' + body.name + ') has only the read scope: it can look, not act.');
  S.operateToken = token; S.operator = { name: body.name }; sessionStorage.setItem(OPERATE_KEY, token);
  $('operate-form').hidden = true; renderOperator();
}
function stopOperating() { S.operator = null; S.operateToken = ''; sessionStorage.removeItem(OPERATE_KEY); renderOperator(); }

function renderOperator() {
  var box = $('operator');
  if (S.operator) {
    box.replaceChildren(el('span', { cls: 'operator-on', text: 'Operating as ' + S.operator.name }), ' ',
      el('button', { id: 'operate-stop', cls: 'btn btn-ghost btn-small', type: 'button', text: 'Stop operating', on: stopOperating }));
  } else {
    box.replaceChildren(el('span', { cls: 'operator-off', text: 'Read-only' }), ' ',
      el('button', { id: 'operate-btn', cls: 'btn btn-ghost btn-small', type: 'button', text: 'Enter operate token', on: function () { showOperateForm(''); } }));
  }
  $('readonly-note').hidden = canOperate();
  renderAlerts(); refreshSections();
}

async function operateApi(method, url, body) {
  var headers = { Authorization: 'Bearer ' + S.operateToken };
  if (body) headers['Content-Type'] = 'application/json';
  var res = await fetch(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store' });
  var json = null;
  try { json = await res.json(); } catch (e) { json = null; }
  // A token revoked meanwhile: back to read-only, and say so.
  if (res.status === 401) stopOperating();
  return { status: res.status, ok: res.ok, body: json };
}
function failure(r) {
  if (r.status === 401) return 'the operate token is no longer accepted (read-only now)';
  if (r.status === 403) return 'this token lacks the operate scope';
  return (r.body && r.body.error && r.body.error.message) || 'HTTP ' + r.status;
}

/** An action that needs a reason (acknowledge, resolve, resume trading). */
async function act(title, text, method, url) {
  if (!canOperate()) return toast('Read-only: enter an operate token to act.');
  var reason = await askReason(title, text);
  if (!reason) return;
  var r = await operateApi(method, url, { reason: reason });
  toast(r.ok ? title + ': done.' : title + ' failed: ' + failure(r));
  refreshSections();
}

function silenceButton(a) {
  return canOperate() ? el('button', { cls: 'btn btn-small btn-ghost', type: 'button', text: 'Silence', on: function () { openSilence(a); } }) : null;
}
function openSilence(a) {
  var labels = a.labels || {}, names = Object.keys(labels).sort(function (x, y) { return (y === 'alertname') - (x === 'alertname') || (x < y ? -1 : 1); });
  replace($('silence-matchers'), names.map(function (n, i) {
    return el('div', { cls: 'matcher' }, el('input', { type: 'checkbox', id: 'sm-' + i, 'data-name': n, checked: 'checked' }),
      el('label', { for: 'sm-' + i, text: n }), ' = ', el('input', { type: 'text', 'data-value-for': n, value: labels[n], 'aria-label': n + ' value' }));
  }));
  $('silence-comment').value = ''; $('silence-error').textContent = ''; $('silence-duration').value = '1h'; silenceUntil();
  $('silence-dialog').showModal();
}
function silenceMinutes() { var d = SILENCE_DURATIONS.find(function (x) { return x[0] === $('silence-duration').value; }); return d ? d[1] : 60; }
function silenceUntil() { $('silence-until').textContent = 'until ' + clock(serverNow() + silenceMinutes() * 60000); }
async function submitSilence(e) {
  e.preventDefault();
  var matchers = Array.from($('silence-matchers').querySelectorAll('input[type=checkbox]')).filter(function (c) { return c.checked; }).map(function (c) {
    var name = c.getAttribute('data-name');
    return { name: name, value: $('silence-matchers').querySelector('input[data-value-for="' + CSS.escape(name) + '"]').value, isRegex: false, isEqual: true };
  });
  if (!matchers.length) { $('silence-error').textContent = 'Check at least one label: a silence with no matcher would silence everything.'; return; }
  var comment = $('silence-comment').value.trim(), startsAt = serverNow(), minutes = silenceMinutes();
  if (!comment) { $('silence-error').textContent = 'Say why (comment).'; return; }
  var r = await operateApi('POST', '/v1/silences', { matchers: matchers, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + minutes * 60000).toISOString(), comment: comment });
  if (!r.ok) { $('silence-error').textContent = 'Not silenced: ' + failure(r); return; }
  $('silence-dialog').close();
  toast('Silenced ' + matcherText(matchers) + ' for ' + $('silence-duration').value + ' (' + $('silence-until').textContent + ').');
  refreshSections();
}
function matcherText(ms) { return ms.map(function (m) { return m.name + (m.isEqual === false ? (m.isRegex ? '!~' : '!=') : (m.isRegex ? '=~' : '=')) + JSON.stringify(m.value); }).join(', '); }
async function expireSilence(s) {
  var r = await operateApi('DELETE', '/v1/silences/' + encodeURIComponent(s.id));
  toast(r.ok ? 'Silence of ' + matcherText(s.matchers) + ' expired.' : 'Expiring the silence failed: ' + failure(r));
  refreshSections();
}

/** Approve / Reject for a job waiting on a person; the API decides whether this token may (403 not_an_approver). */
function approvalActions(j) {
  if (!canOperate() || j.state !== 'awaiting_approval') return [];
  var what = j.action + ' ' + j.target, would = (j.approval && j.approval.wouldDo) || what;
  return [
    small('Approve', function () { decide(j, 'approve', 'Approve ' + what, 'It runs at once: ' + would); }),
    small('Reject', function () { decide(j, 'reject', 'Reject ' + what, 'Nothing runs; a P0 incident records the rejection. ' + would); }),
  ];
}
async function decide(j, verb, title, text) {
  var reason = await askReason(title, text);
  if (!reason) return;
  var r = await operateApi('POST', '/v1/remediations/' + encodeURIComponent(j.id) + '/' + verb, { reason: reason });
  var b = r.body || {}, done = b.decision === 'approved' ? 'approved' : 'rejected';
  if (!r.ok) toast(title + ' failed: ' + failure(r));
  // Idempotent on the API: the same decision twice is 200 with changed false.
  else toast(b.changed ? cap(done) + ' by ' + b.decidedBy + (done === 'approved' ? ': it runs now.' : ': nothing runs.') : 'Already ' + done + ' by ' + b.decidedBy + '.');
  refreshSections();
}

function windowActions(w) {
  if (!canOperate() || w.source === 'config') return w.source === 'config' ? [el('span', { cls: 'muted', text: 'in warden.yaml' })] : [];
  return [small('End', function () { endWindow(w); })];
}
/** DELETE /v1/maintenance/{id} takes no reason: the audit records who ended it. Held jobs then re-check their alert. */
async function endWindow(w) {
  var r = await operateApi('DELETE', '/v1/maintenance/' + encodeURIComponent(w.id));
  toast(r.ok ? 'Maintenance window "' + w.name + '" ended; held repairs re-check their alert now.' : 'Ending the window failed: ' + failure(r));
  refreshSections();
}

function initOperate() {
  replace($('silence-duration'), SILENCE_DURATIONS.map(function (d) { return el('option', { value: d[0], text: d[0] }); }));
  $('silence-duration').addEventListener('change', silenceUntil);
  $('silence-form').addEventListener('submit', submitSilence);
  $('silence-cancel').addEventListener('click', function () { $('silence-dialog').close(); });
  $('operate-form').addEventListener('submit', function (e) { e.preventDefault(); var t = $('operate-input').value.trim(); if (t) verifyOperator(t, false); });
  $('operate-cancel').addEventListener('click', function () { $('operate-form').hidden = true; });
  $('resume-btn').addEventListener('click', function () { act('Resume trading', 'Trading resumes on the exchange at once. Why is it safe now? (audited)', 'POST', '/v1/trading/resume'); });
  renderOperator();
  if (S.operateToken) verifyOperator(S.operateToken, true);
}
`;
