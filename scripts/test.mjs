// npm test: install what is missing, build, then run every test headless — the kernel and
// runtime tests in Node (Dawn) and in Chromium (web-test-runner), and the ONNX conformance
// suite — and end with one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const step = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;
const counts = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { passed: 0, failed: 1 });

if (step('node', ['scripts/ensure.mjs']) !== 0) process.exit(1);
if (step('node', ['esbuild.mjs']) !== 0) process.exit(1);
for (const f of ['build/results-node.json', 'build/results-browser.json', 'build/results-conformance.json']) rmSync(f, { force: true });

console.log('\n== Node (Dawn) ==');
step('node', ['scripts/run-node-tests.mjs']);
console.log('\n== Chromium (web-test-runner) ==');
step('node', ['node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs']);
const browser = counts('build/results-browser.json');
console.log(`chromium: ${browser.passed} passed, ${browser.failed} failed`);
const suites = [counts('build/results-node.json'), browser];
if (existsSync('build/test-node/onnx/conformance.js')) {
  console.log('\n== ONNX operator conformance ==');
  step('node', ['build/test-node/onnx/conformance.js']);
  suites.push(counts('build/results-conformance.json'));
}
const passed = suites.reduce((a, s) => a + s.passed, 0);
const failed = suites.reduce((a, s) => a + s.failed, 0);
// Tests this adapter cannot run (the conformance run lists its own skipped cases above).
const skipped = [counts('build/results-node.json'), browser].flatMap((s, i) => (s.skipped ?? []).map((t) => `${i ? 'chromium' : 'node'}: ${t}`));
if (skipped.length) console.log(`\nskipped on this adapter (${skipped.length}):\n${skipped.map((t) => `  ${t}`).join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
