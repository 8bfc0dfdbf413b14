// A browser app bundled by esbuild from the installed package: the engine and the components.
import { createEngine, ops } from 'wgsl-vision';
import 'wgsl-vision/components';

async function main(): Promise<unknown> {
  const engine = await createEngine();
  const a = engine.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  const b = engine.tensor([3, 2], [7, 8, 9, 10, 11, 12]);
  const product = Array.from(await ops.matmul(a, b).read());
  const verify = document.createElement('wv-face-verify');
  verify.setAttribute('model-url', '/models/');
  const ready = new Promise<unknown>((resolve, reject) => {
    verify.addEventListener('wv-ready', (e) => resolve((e as CustomEvent).detail), { once: true });
    verify.addEventListener('wv-error', (e) => reject(new Error(JSON.stringify((e as CustomEvent).detail))), { once: true });
  });
  document.body.append(verify);
  await ready;
  return {
    product,
    faceVerify: customElements.get('wv-face-verify') !== undefined,
    styleTransfer: customElements.get('wv-style-transfer') !== undefined,
    adapter: engine.adapterInfo.description || engine.adapterInfo.vendor,
  };
}

const w = window as unknown as { __result?: unknown; __error?: string };
main().then((r) => (w.__result = r), (e) => (w.__error = String(e?.stack ?? e)));
