/**
 * The visualisation pieces on a tiny random graph: receptive fields (by hand and by perturbing
 * pixels), the top-activation scan against a plain sort of the read-back activations, patches
 * and grids.
 */
import type { Engine } from '../src/gpu/engine.js';
import type { Tensor } from '../src/gpu/tensor.js';
import { Graph, type GraphNode } from '../src/nn/graph/graph.js';
import { cutPatch, renderGrid, stretchContrast, type FloatImage } from '../src/tasks/visualize/grid.js';
import type { VisualNetwork } from '../src/tasks/visualize/network.js';
import { fieldBox, receptiveField } from '../src/tasks/visualize/receptive-field.js';
import { topPatches } from '../src/tasks/visualize/top-patches.js';
import type { TopActivation } from '../src/tasks/visualize/top-activations.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const SIDE = 12;

/**
 * input 12x12x3 → c1: conv 3x3/2 valid (5x5x4) → c2: conv 3x3/1 same (5x5x4) → pool: max 2x2/2
 * (2x2x4); and a squeeze-excite-like branch: gated = c2 · mean(c2) (a global path).
 * Weights positive, so a brighter pixel raises every value that sees it.
 */
function tinyNetwork(engine: Engine, rng: Rng): VisualNetwork {
  const params = new Map<string, Tensor>();
  const nodes: GraphNode[] = [{ name: 'input', op: 'input', inputs: [], attrs: { shape: [null, SIDE, SIDE, 3] } }];
  const constant = (name: string, shape: number[]) => {
    params.set(name, engine.keep(engine.tensor(shape, rng.array(shape.reduce((a, b) => a * b, 1), 0.1, 1))));
    nodes.push({ name, op: 'const', inputs: [], attrs: {} });
    return name;
  };
  nodes.push({ name: 'c1', op: 'conv', inputs: ['input', constant('w1', [3, 3, 3, 4])], attrs: { strides: 2, padding: 'valid' } });
  nodes.push({ name: 'c2', op: 'conv', inputs: ['c1', constant('w2', [3, 3, 4, 4]), constant('b2', [4])], attrs: { padding: 'same', activation: 'relu' } });
  nodes.push({ name: 'pool', op: 'maxPool', inputs: ['c2'], attrs: { kernel: 2, strides: 2 } });
  nodes.push({ name: 'se', op: 'mean', inputs: ['c2'], attrs: { axes: [1, 2], keepDims: true } });
  nodes.push({ name: 'gated', op: 'mul', inputs: ['c2', 'se'], attrs: {} });
  const graph = new Graph(engine, { inputs: ['input'], nodes, params });
  return { name: 'face-resnet', graph, input: 'input', layers: { c1: 'c1', c2: 'c2', pool: 'pool', gated: 'gated' }, defaultLayers: ['c1', 'pool'], inputSize: [SIDE, SIDE], maxBatch: 2 };
}

function randomImage(rng: Rng): FloatImage {
  return { width: SIDE, height: SIDE, data: rng.array(SIDE * SIDE * 3, 0, 255) };
}

async function layerValues(net: VisualNetwork, node: string, image: FloatImage): Promise<{ data: Float32Array; shape: readonly number[] }> {
  const engine = net.graph.engine;
  const x = engine.tensor([1, SIDE, SIDE, 3], image.data);
  const y = net.graph.forward({ input: x }, [node]).outputs[node]!;
  const data = await y.read();
  const shape = y.shape;
  y.dispose();
  x.dispose();
  return { data, shape };
}

/** Every (value, image, position) of a unit, sorted by value (stable: image, then position order), at most `cap` per image. */
function plainTop(all: { data: Float32Array; shape: readonly number[] }[], unit: number, k: number, cap: number): TopActivation[] {
  const list: TopActivation[] = [];
  all.forEach(({ data, shape }, image) => {
    const [, h, w, c] = shape as [number, number, number, number];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) list.push({ image, y, x, value: data[(y * w + x) * c + unit]! });
  });
  list.sort((a, b) => b.value - a.value);
  const taken = new Map<number, number>();
  const out: TopActivation[] = [];
  for (const t of list) {
    if (out.length === k) break;
    if ((taken.get(t.image) ?? 0) >= cap) continue;
    taken.set(t.image, (taken.get(t.image) ?? 0) + 1);
    out.push(t);
  }
  return out;
}

describe('visualize: receptive fields, top patches, grids', () => {
  let engine: Engine;
  let net: VisualNetwork;
  const rng = new Rng(13);

  before(async () => {
    engine = await testEngine();
    net = tinyNetwork(engine, rng);
  });
  after(() => net?.graph.dispose());

  it('receptive fields by hand: 3x3/2 valid → 3 px, then 3x3 same → 7 px from −2, then 2x2/2 pool → 9 px, every 4', () => {
    const rf = (node: string) => receptiveField(net.graph, node, [SIDE, SIDE]);
    assertEqual(rf('c1').axes[0], { jump: 2, size: 3, start: 0 }, 'c1');
    assertEqual(rf('c2').axes[1], { jump: 2, size: 7, start: -2 }, 'c2');
    assertEqual(rf('pool').axes[0], { jump: 4, size: 9, start: -2 }, 'pool');
    assertEqual(rf('pool').outSize, [2, 2], 'pool size');
    // The squeeze-excite scale is global: it does not widen the field.
    assertEqual(rf('gated').axes[0], rf('c2').axes[0], 'gated like c2');
    assertEqual(fieldBox(rf('pool'), 1, 1), { x: 2, y: 2, width: 9, height: 9 }, 'box of pool (1, 1)');
  });

  it('receptive field, empirically: a pixel inside the field changes the unit, one just outside does not', async () => {
    const image = randomImage(rng);
    const rf = receptiveField(net.graph, 'pool', [SIDE, SIDE]);
    const box = fieldBox(rf, 1, 1);
    const unitAt = async (img: FloatImage) => {
      const { data, shape } = await layerValues(net, 'pool', img);
      const [, , w, c] = shape as [number, number, number, number];
      return data[(1 * w + 1) * c + 2]!;
    };
    const base = await unitAt(image);
    const poke = async (y: number, x: number) => {
      const data = Float32Array.from(image.data);
      for (let ch = 0; ch < 3; ch++) data[(y * SIDE + x) * 3 + ch] = data[(y * SIDE + x) * 3 + ch]! + 500;
      return unitAt({ ...image, data });
    };
    const last = box.x + box.width - 1;
    for (const [y, x] of [[6, box.x], [6, last], [box.y, 6], [Math.min(SIDE - 1, box.y + box.height - 1), 6]] as const) {
      assert((await poke(y, x)) > base, `pixel (${y}, ${x}) inside the field [${box.x}, ${last}] changes the unit`);
    }
    for (const [y, x] of [[6, box.x - 1], [box.y - 1, 6]] as const) {
      assertEqual(await poke(y, x), base, `pixel (${y}, ${x}) outside the field leaves the unit`);
    }
    // Past the end of the field (column 11 for a field ending at 10 is still inside the image).
    if (last + 1 < SIDE) assertEqual(await poke(6, last + 1), base, `pixel (6, ${last + 1}) outside the field leaves the unit`);
  });

  it('top positions equal a plain sort of the read-back activations (batches of 2, caps of 1 and 3 per image)', async () => {
    const images = Array.from({ length: 5 }, () => randomImage(rng));
    for (const layer of ['c1', 'c2']) {
      const all = await Promise.all(images.map((img) => layerValues(net, layer, img)));
      for (const cap of [1, 3]) {
        const units = [3, 0, 2];
        const got = await topPatches(net, images, layer, units, { k: 9, maxPerImage: cap, batch: 2 });
        units.forEach((u, i) => {
          const expected = plainTop(all, u, 9, cap);
          assertEqual(got.top[i]!.map((t) => [t.image, t.y, t.x]), expected.map((t) => [t.image, t.y, t.x]), `${layer} unit ${u} cap ${cap}: positions`);
          got.top[i]!.forEach((t, j) => assert(Math.abs(t.value - expected[j]!.value) === 0, 'values as read back'));
        });
        assertEqual(got.patches[0]!.length, Math.min(9, cap * images.length), 'patches per unit');
      }
    }
  });

  it('patches are the pixels of the field (grey outside the image); grids and stretched pictures are not blank', async () => {
    const images = Array.from({ length: 3 }, () => randomImage(rng));
    const tp = await topPatches(net, images, 'pool', [1], { maxPerImage: 4 });
    const t = tp.top[0]![0]!;
    const patch = tp.patches[0]![0]!;
    const box = fieldBox(tp.field, t.y, t.x);
    assertEqual([patch.width, patch.height], [9, 9], 'patch size');
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 9; x++) {
        const [sy, sx] = [box.y + y, box.x + x];
        const inside = sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE;
        const want = inside ? images[t.image]!.data[(sy * SIDE + sx) * 3]! : 128;
        assertEqual(patch.data[(y * 9 + x) * 3], want, `patch pixel (${y}, ${x})`);
      }
    }
    const grid = renderGrid(tp.patches, { cell: 18, gap: 2 });
    assertEqual([grid.width, grid.height], [9 * 18 + 10 * 2, 18 + 2 * 2], 'grid size: 9 patches in a row');
    assert(new Set(grid.data.filter((_, i) => i % 4 === 0)).size > 10, 'the grid is not blank');
    const flat = stretchContrast({ width: 2, height: 1, data: Float32Array.from([10, 10, 10, 20, 20, 20]) });
    assertEqual([...flat.data].map(Math.round), [0, 0, 0, 255, 255, 255], 'stretched to 0…255');
    assertEqual(cutPatch(images[0]!, { x: -20, y: -20, width: 2, height: 2 }).data.every((v) => v === 128), true, 'all outside: grey');
  });

  it('bad requests fail clearly', async () => {
    const images = [randomImage(rng)];
    await assertRejects(() => topPatches(net, images, 'nope', [0]), /unknown layer 'nope' of face-resnet \(layers: c1, c2, pool, gated\)/, 'unknown layer');
    await assertRejects(() => topPatches(net, images, 'c1', [4]), /unknown unit 4 of layer 'c1': it has 4 units \(0–3\)/, 'unknown unit');
    await assertRejects(() => topPatches(net, [{ width: 5, height: 5, data: new Float32Array(75) }], 'c1', [0]), /images must be 12x12/, 'wrong image size');
    assert((() => { try { receptiveField(net.graph, 'se', [SIDE, SIDE]); return false; } catch (e) { return /no spatial layout/.test((e as Error).message); } })(), 'a global node has no field');
    assert((() => { try { renderGrid([]); return false; } catch (e) { return /nothing to draw/.test((e as Error).message); } })(), 'an empty grid is refused');
  });
});
