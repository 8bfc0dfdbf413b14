// npm start: install what is missing, build, serve the demo on 127.0.0.1 and print its URL.
import { execSync } from 'node:child_process';
import { demoMounts } from './demo-site.mjs';
import { serveStatic } from './static-server.mjs';

execSync('node scripts/ensure.mjs --npm-only', { stdio: 'inherit' });
execSync('node esbuild.mjs', { stdio: 'inherit' });
const port = Number(process.env.PORT ?? 8080);
const { url } = await serveStatic(demoMounts, port);
console.log(`\nwgsl-vision demo: ${url}\n(WebGPU needs a recent Chrome/Edge/Safari; Ctrl+C stops the server)`);
