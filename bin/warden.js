#!/usr/bin/env node
'use strict';
// Thin launcher so `npx warden` and `npm start` run the compiled CLI (built by `npm ci` via prepare).
require('../dist/cli/main.js').main(process.argv).catch((err) => {
  process.stderr.write(`warden: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
