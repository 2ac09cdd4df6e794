#!/usr/bin/env node
'use strict';
// Thin launcher so `npx warden` and `npm start` run the compiled CLI (built by `npm ci` via prepare).
// Exit explicitly once the command is done, so no stray handle keeps a finished command alive.
require('../dist/cli/main.js').main(process.argv).then(() => process.exit(process.exitCode ?? 0), (err) => {
  process.stderr.write(`warden: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
