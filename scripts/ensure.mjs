// Installs what a fresh machine lacks: npm packages, then (as root) the Debian packages.
// --npm-only: npm packages only (serving the demo needs no system packages).
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
const installed = 'node_modules/.package-lock.json';
// A fresh clone installs exactly the lock (npm ci); a changed package.json updates it (npm install).
if (!existsSync(installed)) run('npm ci --no-audit --no-fund');
else if (statSync('package.json').mtimeMs > statSync(installed).mtimeMs) run('npm install --no-audit --no-fund');
if (!process.argv.includes('--npm-only')) {
  try {
    run('bash scripts/install-system.sh');
  } catch {
    process.exit(1);
  }
}
