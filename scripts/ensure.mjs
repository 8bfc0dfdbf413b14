// Installs what a fresh machine lacks: npm packages, then (as root) the Debian packages.
// --npm-only: npm packages only (serving the demo needs no system packages).
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });
const stale = !existsSync('node_modules/.package-lock.json') ||
  statSync('package.json').mtimeMs > statSync('node_modules/.package-lock.json').mtimeMs;
if (stale) run('npm install --no-audit --no-fund');
if (!process.argv.includes('--npm-only')) {
  try {
    run('bash scripts/install-system.sh');
  } catch {
    process.exit(1);
  }
}
