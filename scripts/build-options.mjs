// esbuild options shared by the full build (esbuild.mjs) and single-file test runs (scripts/dev-test.mjs).
import { readFileSync } from 'node:fs';

export const common = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  loader: { '.wgsl': 'text' },
  logLevel: 'warning',
  // The command line's --version.
  define: { WGSL_VISION_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
};
// wgsl_reflect's "main" build has no exports: prefer ES modules for Node too.
export const forNode = {
  ...common,
  platform: 'node',
  mainFields: ['module', 'main'],
  // The database backends' packages (optional peer dependencies) are imported at run time.
  external: ['webgpu', '@tensorflow/*', 'pg', 'pg-native', 'pgvector', 'pgvector/*', '@electric-sql/*'],
  // Bundled CommonJS dependencies call require() for Node built-ins; give ES modules one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
};
export const forBrowser = { ...common, platform: 'browser', external: ['pg', 'pg-native', 'pgvector', 'pgvector/*', '@electric-sql/*'] };
