'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// Fail once, clearly, instead of in every file: the suite needs real redis-server and a build.
module.exports = async () => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not on PATH: install it (apt-get install -y redis-server)');
  }
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm test` (its pretest builds) or `npm run build`');
  }
};
