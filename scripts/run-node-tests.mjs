// Runs the Node test bundles (build/test-node/**/*.test.js and the e2e/*.e2e.js page tests) with mocha on Dawn.
// Prints mocha's report and writes the counts (and the skipped tests' titles) to build/results-node.json.
import Mocha from 'mocha';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { useFreshTestCache } from './test-cache.mjs';

useFreshTestCache();

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? find(path) : name.endsWith('.test.js') || name.endsWith('.e2e.js') ? [resolve(path)] : [];
  });
}

const grep = process.argv[2];
const mocha = new Mocha({ timeout: 600_000, reporter: 'spec', grep });
for (const file of find('build/test-node')) mocha.addFile(file);
await mocha.loadFilesAsync();
const skipped = [];
const runner = mocha.run((failures) => {
  const { passes, failures: failed } = runner.stats;
  writeFileSync('build/results-node.json', JSON.stringify({ passed: passes, failed, skipped }));
  // Dawn keeps the process alive; exit explicitly once mocha is done.
  setTimeout(() => process.exit(failures ? 1 : 0), 100);
});
// A test skips only where this adapter cannot run it; the summary names each one.
runner.on('pending', (t) => skipped.push(t.fullTitle()));
