import { FACE_API_MODELS } from '../src/nn/face-api-models.js';
import { loadWeights, type WeightGroup } from '../src/nn/weights.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { readFile } from './util/engine.js';

const MODEL_DIR = 'node_modules/@vladmandic/face-api/model';

/** A manifest with a float32, a uint8-quantised, a uint16-quantised and a float16 weight, in two shards. */
function fixture() {
  const f32 = new Float32Array([1.5, -2, 3.25]);
  const u8 = new Uint8Array([0, 10, 255, 128]);
  const u16 = new Uint16Array([0, 1000, 65535]);
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x3555]); // 1, -2, ~0.333
  const bytes = new Uint8Array(12 + 4 + 6 + 6);
  bytes.set(new Uint8Array(f32.buffer), 0);
  bytes.set(u8, 12);
  bytes.set(new Uint8Array(u16.buffer), 16);
  bytes.set(new Uint8Array(f16.buffer), 22);
  const manifest: WeightGroup[] = [{
    paths: ['a.bin', 'b.bin'],
    weights: [
      { name: 'dense/kernel', shape: [3], dtype: 'float32' },
      { name: 'conv/filters', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'conv/bias', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 2 } },
      { name: 'half', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
    ],
  }];
  // The shard boundary (byte 14) falls inside a weight.
  const shards: Record<string, Uint8Array> = { 'a.bin': bytes.slice(0, 14), 'b.bin': bytes.slice(14) };
  return { manifest, shards };
}

describe('weights manifest loader', () => {
  it('concatenates shards and expands float32, uint8, uint16 and float16 weights', async () => {
    const { manifest, shards } = fixture();
    const map = await loadWeights(manifest, async (p) => shards[p]!);
    assertEqual(map.names, ['dense/kernel', 'conv/filters', 'conv/bias', 'half']);
    assertClose(map.get('dense/kernel').data, [1.5, -2, 3.25], { atol: 0, rtol: 0 });
    assertClose(map.get('conv/filters', [2, 2]).data, [-1, 4, 126.5, 63], { atol: 0, rtol: 0 });
    assertClose(map.get('conv/bias').data, [2, 3, 67.535], { atol: 1e-4, rtol: 0 });
    assertClose(map.get('half').data, [1, -2, 0.33325], { atol: 1e-4, rtol: 0 });
  });

  it('names the problem: missing, truncated, oversized or corrupted shard, bad manifest, wrong weight', async () => {
    const { manifest, shards } = fixture();
    await assertRejects(() => loadWeights(manifest, async (p) => { if (p === 'b.bin') throw new Error('ENOENT'); return shards[p]!; }, { source: 'm.json' }),
      /WeightsError: missing weights file 'b.bin' \(listed in m.json\): ENOENT/);
    await assertRejects(() => loadWeights(manifest, async (p) => (p === 'b.bin' ? shards[p]!.slice(0, 5) : shards[p]!)),
      /truncated weights: a.bin \+ b.bin hold 19 bytes, weights manifest needs 28/);
    await assertRejects(() => loadWeights(manifest, async (p) => (p === 'b.bin' ? new Uint8Array(20) : shards[p]!)),
      /wrong weights: a.bin \+ b.bin hold 34 bytes, more than the 28/);
    await assertRejects(() => loadWeights(manifest, async (p) => shards[p]!, { sha256: { 'a.bin': '00'.repeat(32) } }),
      /wrong weights file 'a.bin'.*SHA-256 does not match/);
    await assertRejects(() => loadWeights({ modelTopology: {} }, async () => new Uint8Array()), /is not a tfjs weights manifest/);
    await assertRejects(() => loadWeights([{ paths: ['x'], weights: [{ name: 'w', shape: [2], dtype: 'complex64' }] }], async () => new Uint8Array()), /unsupported dtype complex64/);
    const map = await loadWeights(manifest, async (p) => shards[p]!, { source: 'm.json' });
    await assertRejects(() => map.get('nope'), /wrong weights: 'nope' is not in m.json/);
    await assertRejects(() => map.get('conv/filters', [4]), /'conv\/filters' in m.json has shape \[2,2\], expected \[4\]/);
  });

  it("loads face-api's 128-D face recognition ResNet with its checksum", async () => {
    const spec = FACE_API_MODELS.faceRecognition;
    const manifest = JSON.parse(new TextDecoder().decode(await readFile(`${MODEL_DIR}/${spec.manifest}`)));
    const map = await loadWeights(manifest, (p) => readFile(`${MODEL_DIR}/${p}`), { sha256: spec.sha256, source: spec.manifest });
    assertEqual(map.names.length, 117, 'weight count');
    const stem = map.get('conv32_down/conv/filters', [7, 7, 3, 32]);
    // uint8 quantisation: every value is min + q·scale for an integer q in [0, 255].
    const q = manifest[0].weights[0].quantization;
    const steps = Array.from(stem.data, (v) => (v - q.min) / q.scale);
    assert(steps.every((s) => Math.abs(s - Math.round(s)) < 1e-3 && s > -0.5 && s < 255.5), 'stem filters are dequantised uint8');
    assert(map.has('fc'), 'has the final 256→128 projection');
    assertEqual(map.get('fc').shape, [256, 128]);
  });
});
