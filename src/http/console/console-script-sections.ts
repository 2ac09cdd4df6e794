/**
 * Browser code, part 3: sections for stages that may not be wired (trading, incidents, silences,
 * remediations, maintenance windows). Each is probed with GET; a 404 hides it for good, so the console works on a
 * Warden with only the core pipeline. Action buttons appear only for an operate token
 * (canOperate, console-script-operate.ts). No backticks in here (the TS template ends at one).
 */
export const CONSOLE_SECTIONS_JS = String.raw`
var SEV_STATUS = { P0: 'red', P1: 'red', P2: 'yellow', P3: 'yellow' };
function listOf(body, key) { return Array.isArray(body) ? body : (body && body[key]) || []; }
function emptyRow(cols, text) { return el('tr', {}, el('td', { colspan: String(cols), cls: 'empty', text: text })); }
/** "19:26 (in 2 h 0 min)": a time ahead, as the Ends column needs it. */
function whenAhead(v) {
  var ms = Date.parse(v), left = Math.max(0, Math.round((ms - serverNow()) / 60000));
  return isFinite(ms) ? clock(ms) + ' (in ' + (left >= 60 ? Math.floor(left / 60) + ' h ' + (left % 60) + ' min' : left + ' min') + ')' : '\u2014';
}
function small(text, on) { return el('button', { cls: 'btn btn-small', type: 'button', text: text, on: on }); }

function renderTrading(t) {
  var halted = t.state === 'halted';
  $('trading').className = 'panel trading' + (halted ? ' halted' : '');
  $('trading-state').replaceChildren('Trading ', el('span', { cls: 'pill st-' + (halted ? 'red' : 'green'), text: halted ? '✕ HALTED' : '✓ RUNNING' }));
  $('trading-detail').textContent = halted
    ? 'since ' + when(t.since) + (t.reason ? ' \u2014 ' + t.reason : '') + (t.incident ? ' (incident ' + t.incident + ')' : '')
    : (t.since ? 'since ' + when(t.since) : '');
  $('resume-btn').hidden = !halted || !canOperate();
}

function incidentActions(i) {
  if (!canOperate() || i.status === 'resolved') return [];
  var path = '/v1/incidents/' + encodeURIComponent(i.id), what = i.severity + ' incident', text = i.summary || i.id;
  return [
    i.status === 'triggered' ? small('Ack', function () { act('Acknowledge ' + what, text, 'POST', path + '/ack'); }) : null,
    small('Resolve', function () { act('Resolve ' + what, text + ' \u2014 it reopens as a new incident if its alerts still fire.', 'POST', path + '/resolve'); }),
  ].filter(Boolean);
}
function renderIncidents(body) {
  var rows = listOf(body, 'incidents').slice().sort(function (a, b) {
    return (a.status === 'resolved') - (b.status === 'resolved') || (a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : 0) || Date.parse(b.startedAt) - Date.parse(a.startedAt);
  }).slice(0, 50);
  replace($('incidents-body'), rows.length ? rows.map(function (i) {
    var status = i.status + (i.acknowledgedBy && i.status === 'acknowledged' ? ' by ' + i.acknowledgedBy : '') + (i.mutedBy ? ' (muted: ' + i.mutedBy + ')' : '');
    return el('tr', { 'data-incident': i.id }, el('td', {}, el('span', { cls: 'pill st-' + (SEV_STATUS[i.severity] || 'none'), text: i.severity || '?' })),
      el('td', { cls: 'status', text: status }), el('td', { text: i.summary || i.id }), el('td', { text: when(i.startedAt) }), el('td', { cls: 'actions' }, ...incidentActions(i)));
  }) : [emptyRow(5, 'No incidents.')]);
}

function renderSilences(body) {
  var rows = listOf(body, 'silences').filter(function (s) { return s.status && s.status.state !== 'expired'; })
    .sort(function (a, b) { return Date.parse(a.endsAt) - Date.parse(b.endsAt); }).slice(0, 50);
  replace($('silences-body'), rows.length ? rows.map(function (s) {
    return el('tr', { 'data-silence': s.id }, el('td', { cls: 'matchers', text: matcherText(s.matchers) }), el('td', { text: s.status.state }),
      el('td', { text: 'until ' + whenAhead(s.endsAt) }), el('td', { text: s.createdBy || '' }), el('td', { text: s.comment || '' }),
      el('td', {}, canOperate() ? small('Expire', function () { expireSilence(s); }) : null));
  }) : [emptyRow(6, 'No active silences.')]);
}

var SKIP_REASONS = { cooldown: 'the target is in its cooldown', budget: 'the remediation budget is used up', already_done: 'it had already acted before a restart', alert_resolved: 'the alert had resolved before it ran',
  rejected: 'a person rejected it', approval_expired: 'nobody approved it in time' };
function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }
function sentenceEnd(text) { text = String(text || '').trim(); return /[.!?]$/.test(text) ? text : text + '.'; }
function cap(text) { return text.charAt(0).toUpperCase() + text.slice(1); }
/** What happened to a remediation job, as a sentence an on-call engineer reads at a glance. */
function outcomeSentence(j) {
  var r = j.result, tries = plural(j.attempts, 'attempt');
  if (j.state === 'failed') return 'Failed after ' + tries + ': ' + sentenceEnd(j.failed_reason || 'no reason recorded') + ' Escalated to a person.';
  if (j.state === 'active') return 'Running now (attempt ' + (j.attempts + 1) + ').';
  if (j.state === 'waiting' || j.state === 'prioritized') return 'Waiting to run.';
  if (j.state === 'delayed') return j.attempts > 0 ? 'Waiting to retry after ' + tries + (j.failed_reason ? ': ' + sentenceEnd(j.failed_reason) : '.') : 'Waiting to run.';
  if (!r) return 'Finished without a recorded result.';
  if (r.outcome === 'dry_run') return 'Dry run: would ' + sentenceEnd(String(r.wouldDo).replace(/^would /i, '')) + ' Nothing was changed.';
  if (r.outcome === 'skipped') return 'Skipped because ' + (SKIP_REASONS[r.reason] || r.reason) + (r.detail ? ' (' + r.detail + ').' : '.');
  var did = cap(sentenceEnd(r.summary)) + (r.attempt > 1 ? ' It took ' + plural(r.attempt, 'attempt') + '.' : '');
  var v = r.verify;
  if (r.outcome === 'verified' && v) return did + ' Verified: the condition held after ' + (v.elapsedMs / 1000).toFixed(1) + ' s (' + plural(v.checks, 'check') + ').';
  if (r.outcome === 'verify_failed') return did + ' But verification failed' + (v ? ': the condition did not hold within ' + (v.elapsedMs / 1000).toFixed(1) + ' s (' + plural(v.checks, 'check') + ')' : '') + '. Escalated to a person.';
  return did;
}
function renderRemediations(body) {
  var rows = listOf(body, 'remediations').slice(0, 30);
  replace($('remediations-body'), rows.length ? rows.map(function (j) {
    // Issue 13: a job waiting on a person says what it would do; one held by maintenance says since when.
    var waiting = j.state === 'awaiting_approval' && j.approval ? 'awaiting approval until ' + when(j.approval.expiresAt) + ': ' + j.approval.wouldDo
      : j.state === 'held' && j.heldSince ? 'held by a maintenance window since ' + when(j.heldSince) : '';
    var outcome = waiting || outcomeSentence(j);
    return el('tr', { 'data-remediation': j.id }, el('td', { text: j.action + (j.dry_run ? ' (dry run)' : '') }), el('td', { text: j.target }),
      el('td', { text: j.state }), el('td', { text: String(j.attempts) }), el('td', { text: when(j.enqueued_at) }),
      el('td', { cls: 'outcome', text: outcome }), el('td', { cls: 'actions' }, ...approvalActions(j)));
  }) : [emptyRow(7, 'No remediation jobs.')]);
}

/** Windows not yet over; one from warden.yaml cannot be ended here (the API answers 409), so it says where it lives. */
function renderMaintenance(body) {
  var rows = listOf(body, 'windows').filter(function (w) { return w.status !== 'ended'; }).slice(0, 50);
  replace($('maintenance-body'), rows.length ? rows.map(function (w) {
    var until = w.status === 'active' ? (w.activeUntil ? 'until ' + whenAhead(w.activeUntil) : 'open-ended') : (w.nextStartsAt ? 'starts ' + whenAhead(w.nextStartsAt) : '—');
    return el('tr', { 'data-window': w.id }, el('td', { text: w.name }), el('td', { cls: 'matchers', text: matcherText(w.matchers || []) }),
      el('td', { cls: 'status', text: w.status }), el('td', { text: until }), el('td', { text: w.createdBy || (w.source === 'config' ? 'warden.yaml' : '') }),
      el('td', { text: w.comment || '' }), el('td', { cls: 'actions' }, ...windowActions(w)));
  }) : [emptyRow(7, 'No maintenance windows open or scheduled.')]);
}

var SECTIONS = {
  trading: { url: '/v1/trading', render: renderTrading },
  incidents: { url: '/v1/incidents', render: renderIncidents },
  silences: { url: '/v1/silences', render: renderSilences },
  remediations: { url: '/v1/remediations?limit=30', render: renderRemediations },
  maintenance: { url: '/v1/maintenance', render: renderMaintenance }
};
`;
