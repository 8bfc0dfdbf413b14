// What the demo site serves: the built pages (build/demo, with demo/assets), the components
// bundle, the benchmark bundle (loaded when a visitor runs the benchmark), face-api's pretrained
// models and its demo photos (the benchmark's group photo) from its npm package, the
// style-transfer feature network that the build copies into build/models, and Fashion-MNIST for
// the training section when the Debian package is installed.
// Everything comes from the same origin: nothing is fetched from elsewhere, and the pages work
// under the strict Content-Security-Policy below (the tests and screenshots serve them with it).
// Import it only once node_modules is installed (it resolves face-api's folder on import).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

export const demoMounts = {
  '/': 'build/demo',
  '/components/': 'build/components',
  '/bench/': 'build/bench',
  '/models/': join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model'),
  // Only the photo the benchmark reads, not the rest of face-api's demo folder (its scripts and pages).
  '/face-api-demo/sample5.jpg': join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample5.jpg'),
  '/models/style/': 'build/models',
  ...(existsSync(FASHION_MNIST) ? { '/data/fashion-mnist/': FASHION_MNIST } : {}),
};

/**
 * The Content-Security-Policy a site embedding the components needs at most: scripts, styles,
 * models and images from its own origin; blob: and data: images (the components' previews) and
 * blob: workers. No 'unsafe-inline', no 'unsafe-eval'.
 */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; worker-src 'self' blob:";

/**
 * The one report the policy gives on the demo, once the benchmark runs: its bundle holds TF.js (the
 * reference), whose dependency long.js tries to compile a tiny WebAssembly module for 64-bit
 * multiplies and falls back to JavaScript when the policy refuses it. Matches a violation written
 * as "<directive> blocked <URI> at <file>:<line>".
 */
export const BENCH_WASM_PROBE = /^script-src blocked wasm-eval at http:\/\/[^/]+\/bench\/bench-browser\.js:\d+/;
