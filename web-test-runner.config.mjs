// Browser tests: the test bundles in headless Debian Chromium with WebGPU on SwiftShader.
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';


/** Counts test results over all sessions and writes them to build/results-browser.json. */
function countReporter() {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      // A skip is reported by name (a test skips only where this adapter cannot run it).
      const skipped = [];
      const walk = (suite, path) => {
        for (const t of suite.tests) t.passed ? passed++ : t.skipped ? skipped.push(`${path}${t.name}`) : failed++;
        for (const s of suite.suites) walk(s, `${path}${s.name} > `);
      };
      for (const s of sessions) {
        if (s.testResults) walk(s.testResults, '');
        // A file that failed to load or threw outside a test counts as a failure.
        if (!s.passed && (s.errors?.length ?? 0) > 0) failed++;
      }
      writeFileSync('build/results-browser.json', JSON.stringify({ passed, failed, skipped }));
    },
  };
}

export default {
  files: process.env.WTR_FILES ?? 'build/test-browser/**/*.test.js',
  nodeResolve: false,
  // Serve the parent folder too: tests read ../shared/data (as /shared/...) and node_modules.
  rootDir: '..',
  // The dev server re-encodes .pgm (an unknown type to it) as UTF-8 text, mangling the bytes:
  // serve those files as they are.
  middleware: [
    async (ctx, next) => {
      if (!ctx.path.endsWith('.pgm')) return next();
      const file = resolve('..', `.${decodeURIComponent(ctx.path)}`);
      if (!file.startsWith(resolve('..')) || !existsSync(file)) return next();
      ctx.type = 'application/octet-stream';
      ctx.body = readFileSync(file);
    },
  ],
  concurrency: 1,
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
    }),
  ],
  testFramework: { config: { timeout: Number(process.env.WTR_TEST_TIMEOUT ?? 600000) } },
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 3600000,
  reporters: [defaultReporter({ reportTestResults: true, reportTestProgress: false }), countReporter()],
};
