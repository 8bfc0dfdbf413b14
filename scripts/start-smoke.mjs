// `npm start` as a newcomer runs it, checked from outside: starts it in its own process group,
// waits for the URL it prints, fetches the page, the components bundle and one model file, then
// stops the server by its pid. Exits non-zero, with the reason, if any step fails.
import { spawn } from 'node:child_process';

const WAIT_MS = 15 * 60_000; // a fresh clone installs every npm package first
const child = spawn('npm', ['start'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORT: '0' } });
const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };

function fail(message) {
  console.error(`npm start smoke: ${message}`);
  stop();
  process.exit(1);
}

const url = await new Promise((resolve) => {
  let seen = '';
  const timer = setTimeout(() => fail(`no URL printed within ${WAIT_MS / 60_000} minutes`), WAIT_MS);
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    seen += chunk;
    const found = /wgsl-vision demo: (http:\/\/\S+)/.exec(seen);
    if (found) (clearTimeout(timer), resolve(found[1]));
  });
  child.on('exit', (code) => fail(`npm start exited (${code}) before printing its URL`));
});

for (const [what, path, type] of [
  ['the demo page', '', /text\/html/],
  ['the components bundle', 'components/wgsl-vision-components.js', /javascript/],
  ['a face-api model file', 'models/face_recognition_model-weights_manifest.json', /json/],
  ['the style network', 'models/style/centernet.json', /json/],
]) {
  const response = await fetch(new URL(path, url)).catch((e) => fail(`${what}: ${e.message}`));
  const body = await response.arrayBuffer();
  if (!response.ok || !type.test(response.headers.get('content-type') ?? '') || body.byteLength === 0) {
    fail(`${what} (${path || '/'}): HTTP ${response.status}, ${response.headers.get('content-type')}, ${body.byteLength} bytes`);
  }
  console.log(`npm start smoke: ${what} ok (${body.byteLength} bytes)`);
}
child.removeAllListeners('exit');
stop();
console.log(`npm start smoke: served ${url}, stopped pid ${child.pid}`);
