// npm start: install what is missing, build, serve the demo on 127.0.0.1 and print its URL.
import { execSync } from 'node:child_process';

execSync('node scripts/ensure.mjs --npm-only', { stdio: 'inherit' });
execSync('node esbuild.mjs', { stdio: 'inherit' });
// Imported after the install: both resolve packages that a fresh clone does not have yet.
const { demoMounts } = await import('./demo-site.mjs');
const { serveStatic } = await import('./static-server.mjs');
const port = Number(process.env.PORT ?? 8080);
const { url } = await serveStatic(demoMounts, port);
console.log(`\nwgsl-vision demo: ${url}\n(WebGPU needs a recent Chrome/Edge/Safari; Ctrl+C stops the server)`);
