import { createHash } from 'node:crypto';
import { CONSOLE_CSS } from './console-styles';
import { CONSOLE_LIVE_JS } from './console-script-live';
import { CONSOLE_OPERATE_JS } from './console-script-operate';
import { CONSOLE_PICTURES_JS } from './console-script-pictures';
import { CONSOLE_SECTIONS_JS } from './console-script-sections';
import { CONSOLE_VIEW_JS } from './console-script-view';

// The live part defines the state (S) the pictures and operate parts extend; init() runs once all are in.
const SCRIPT = `(function () {\n'use strict';\n${CONSOLE_VIEW_JS}\n${CONSOLE_SECTIONS_JS}\n${CONSOLE_LIVE_JS}\n${CONSOLE_PICTURES_JS}\n${CONSOLE_OPERATE_JS}\ninit();\n})();`;

const MARKUP = `
<header class="top">
  <div class="brand"><span class="logo">&#9670;</span> Warden<span class="sub">exchange console</span></div>
  <div id="conn" class="conn conn-connecting" role="status" aria-live="polite">Connecting&hellip;</div>
  <div id="operator" class="operator"></div>
  <button id="token-btn" class="btn btn-ghost btn-small" type="button" hidden>Change token</button>
</header>
<form id="token-form" class="token-form" hidden>
  <label for="token-input">This Warden asks for a bearer token with the <b>read</b> scope to look.</label>
  <input id="token-input" type="password" autocomplete="off" placeholder="token">
  <button class="btn" type="submit">Connect</button>
  <span id="token-error" class="error" role="alert"></span>
</form>
<form id="operate-form" class="token-form operate-form" hidden>
  <label for="operate-input">An <b>operate</b> token acts under its name (audited); it is kept in this tab only.</label>
  <input id="operate-input" type="password" autocomplete="off" placeholder="operate token">
  <button class="btn" type="submit">Use token</button><button id="operate-cancel" class="btn btn-ghost" type="button">Cancel</button>
  <span id="operate-error" class="error" role="alert"></span>
</form>
<p id="readonly-note" class="readonly-note" role="note">Read-only: enter an operate token to acknowledge, resolve, silence, approve or reject a repair, end a maintenance window or resume trading.</p>
<main id="main">
  <section id="banner" class="banner st-none" aria-live="assertive" aria-label="Overall exchange health">
    <div id="banner-icon" class="banner-icon" aria-hidden="true">?</div>
    <div><div id="banner-status" class="banner-status">NO DATA</div><div id="banner-detail" class="banner-detail"></div></div>
    <div id="banner-meta" class="banner-meta"></div>
  </section>
  <section id="trading" class="panel trading" hidden aria-label="Trading state">
    <span id="trading-state" class="trading-state"></span><span id="trading-detail" class="muted"></span>
    <button id="resume-btn" class="btn btn-danger" type="button" hidden>Resume trading</button>
  </section>
  <section class="panel"><h2>Components</h2><div id="tiles" class="tiles"></div></section>
  <div class="cols">
    <section class="panel"><h2>Live transitions</h2><ol id="feed" class="feed" aria-live="polite"></ol></section>
    <section class="panel"><h2>Active alerts<span id="alerts-count" class="count">0</span></h2>
      <table><thead><tr><th>Alert</th><th>Component</th><th>Health / severity</th><th>State</th><th>Since</th><th>Summary</th><th></th></tr></thead>
      <tbody id="alerts-body"></tbody></table></section>
  </div>
  <section id="incidents" class="panel" hidden><h2>Incidents</h2>
    <table><thead><tr><th>Severity</th><th>Status</th><th>Summary</th><th>Started</th><th></th></tr></thead><tbody id="incidents-body"></tbody></table></section>
  <section id="silences" class="panel" hidden><h2>Silences</h2>
    <table><thead><tr><th>Matchers</th><th>State</th><th>Ends</th><th>By</th><th>Comment</th><th></th></tr></thead><tbody id="silences-body"></tbody></table></section>
  <section id="remediations" class="panel" hidden><h2>Remediations</h2>
    <table><thead><tr><th>Action</th><th>Target</th><th>State</th><th>Attempts</th><th>Enqueued</th><th>Outcome</th><th></th></tr></thead><tbody id="remediations-body"></tbody></table></section>
  <section id="maintenance" class="panel" hidden><h2>Maintenance windows</h2>
    <table><thead><tr><th>Name</th><th>Matchers</th><th>State</th><th>Until</th><th>By</th><th>Comment</th><th></th></tr></thead><tbody id="maintenance-body"></tbody></table></section>
</main>
<div id="toast" class="toast" role="status" hidden></div>
<dialog id="reason-dialog"><form method="dialog">
  <h3 id="reason-title"></h3><p id="reason-text" class="muted"></p>
  <label for="reason-input">Reason (recorded in the audit log)</label>
  <textarea id="reason-input" required maxlength="1000"></textarea>
  <menu><button class="btn btn-ghost" value="cancel" formnovalidate>Cancel</button><button class="btn" value="ok">Confirm</button></menu>
</form></dialog>
<dialog id="silence-dialog"><form id="silence-form">
  <h3>Silence alerts</h3>
  <p class="muted">Alerts matching every checked label are not notified until the silence ends (audited).</p>
  <div id="silence-matchers" class="matchers-edit"></div>
  <label for="silence-duration">For</label> <select id="silence-duration"></select> <span id="silence-until" class="muted"></span>
  <label for="silence-comment">Comment</label>
  <textarea id="silence-comment" maxlength="1000"></textarea>
  <p id="silence-error" class="error" role="alert"></p>
  <menu><button id="silence-cancel" class="btn btn-ghost" type="button">Cancel</button><button class="btn" type="submit">Silence</button></menu>
</form></dialog>`;

const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1l7 7-7 7-7-7z" fill="#58a6ff"/></svg>')}`;

export const CONSOLE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden</title><link rel="icon" href="${FAVICON}"><style>${CONSOLE_CSS}</style></head>
<body>${MARKUP}
<script>${SCRIPT}</script>
</body></html>`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Only this page's own inline script and style may run, and it may talk only to this origin: an
 * alert label that slipped past textContent still could not load or send anything.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(CONSOLE_CSS)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
