// Browser tests: the test bundles in headless Debian Chromium with WebGPU on SwiftShader.
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { writeFileSync } from 'node:fs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';


/** Counts test results over all sessions and writes them to build/results-browser.json. */
function countReporter() {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      const walk = (suite) => {
        for (const t of suite.tests) t.passed ? passed++ : t.skipped ? failed++ : failed++;
        for (const s of suite.suites) walk(s);
      };
      for (const s of sessions) {
        if (s.testResults) walk(s.testResults);
        // A file that failed to load or threw outside a test counts as a failure.
        if (!s.passed && (s.errors?.length ?? 0) > 0) failed++;
      }
      writeFileSync('build/results-browser.json', JSON.stringify({ passed, failed }));
    },
  };
}

export default {
  files: process.env.WTR_FILES ?? 'build/test-browser/**/*.test.js',
  nodeResolve: false,
  concurrency: 1,
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: chromiumPath, headless: true, args: chromiumArgs },
    }),
  ],
  testFramework: { config: { timeout: 600000 } },
  browserStartTimeout: 120000,
  testsStartTimeout: 120000,
  testsFinishTimeout: 3600000,
  reporters: [defaultReporter({ reportTestResults: true, reportTestProgress: false }), countReporter()],
};
