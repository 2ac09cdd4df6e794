/**
 * Browser code, part 3: sections for stages that may not be wired (trading, incidents,
 * remediations). Each is probed with GET; a 404 hides it for good, so the console works on a
 * Warden with only the core pipeline. No backticks in here (the TS template ends at one).
 */
export const CONSOLE_SECTIONS_JS = String.raw`
var SEV_STATUS = { P0: 'red', P1: 'red', P2: 'yellow', P3: 'yellow' };
function listOf(body, key) { return Array.isArray(body) ? body : (body && body[key]) || []; }
function emptyRow(cols, text) { return el('tr', {}, el('td', { colspan: String(cols), cls: 'empty', text: text })); }

function renderTrading(t) {
  var halted = t.state === 'halted';
  $('trading').className = 'panel trading' + (halted ? ' halted' : '');
  $('trading-state').replaceChildren('Trading ', el('span', { cls: 'pill st-' + (halted ? 'red' : 'green'), text: halted ? '✕ HALTED' : '✓ RUNNING' }));
  $('trading-detail').textContent = halted
    ? 'since ' + when(t.since) + (t.reason ? ' \u2014 ' + t.reason : '') + (t.incident ? ' (incident ' + t.incident + ')' : '')
    : (t.since ? 'since ' + when(t.since) : '');
  $('resume-btn').hidden = !halted;
}

function renderIncidents(body) {
  var rows = listOf(body, 'incidents').slice().sort(function (a, b) {
    return (a.status === 'resolved') - (b.status === 'resolved') || (a.severity < b.severity ? -1 : a.severity > b.severity ? 1 : 0) || b.startedAtMs - a.startedAtMs;
  }).slice(0, 50);
  replace($('incidents-body'), rows.length ? rows.map(function (i) {
    var ack = i.status === 'triggered' ? el('button', { cls: 'btn btn-small', type: 'button', text: 'Ack', on: function () {
      act('Acknowledge ' + i.severity + ' incident', i.summary || i.id, '/v1/incidents/' + encodeURIComponent(i.id) + '/ack');
    } }) : el('span', { cls: 'muted', text: i.acknowledgedBy ? 'by ' + i.acknowledgedBy : '' });
    return el('tr', {}, el('td', {}, el('span', { cls: 'pill st-' + (SEV_STATUS[i.severity] || 'none'), text: i.severity || '?' })),
      el('td', { text: i.status }), el('td', { text: i.summary || i.id }), el('td', { text: when(i.startedAtMs || i.startedAt) }), el('td', {}, ack));
  }) : [emptyRow(5, 'No incidents.')]);
}

function renderRemediations(body) {
  var rows = listOf(body, 'remediations').slice(0, 30);
  replace($('remediations-body'), rows.length ? rows.map(function (j) {
    // Issue 13: a job waiting on a person says what it would do; one held by maintenance says since when.
    var waiting = j.state === 'awaiting_approval' && j.approval ? 'awaiting approval until ' + when(j.approval.expiresAt) + ': ' + j.approval.wouldDo
      : j.state === 'held' && j.heldSince ? 'held by a maintenance window since ' + when(j.heldSince) : '';
    var outcome = waiting || j.failed_reason || (j.result ? JSON.stringify(j.result) : '');
    return el('tr', {}, el('td', { text: j.action + (j.dry_run ? ' (dry run)' : '') }), el('td', { text: j.target }),
      el('td', { text: j.state }), el('td', { text: String(j.attempts) }), el('td', { text: when(j.enqueued_at) }),
      el('td', { text: outcome.length > 160 ? outcome.slice(0, 160) + '\u2026' : outcome }));
  }) : [emptyRow(6, 'No remediation jobs.')]);
}

var SECTIONS = {
  trading: { url: '/v1/trading', render: renderTrading },
  incidents: { url: '/v1/incidents', render: renderIncidents },
  remediations: { url: '/v1/remediations?limit=30', render: renderRemediations }
};
`;
