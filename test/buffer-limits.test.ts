// Buffers larger than the device binds are refused by name before any GPU work is recorded
// (never a raw validation message), and nothing is left acquired. Most checks run on a second
// engine over the shared device with a 4 KiB limit (EngineOptions.maxBindingSize), so that
// nothing large is allocated; one runs at the device's own limit.
import { Engine } from '../src/gpu/engine.js';
import { BufferTooLargeError, ImageTooLargeError } from '../src/gpu/errors.js';
import { defineKernel } from '../src/gpu/kernel.js';
import { relu } from '../src/ops/elementwise.js';
import { imageToTensor } from '../src/ops/image.js';
import { matmul } from '../src/ops/matmul.js';
import { assert, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';

const CLEAR = defineKernel('clear-fixture', `
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64) fn clear(@builtin(global_invocation_id) g: vec3<u32>) { if (g.x < arrayLength(&dst)) { dst[g.x] = 0.0; } }
`);

describe('buffer limits', () => {
  it('the engine binds what the device allows: its storage binding and buffer size limits', async () => {
    const engine = await testEngine();
    const { maxStorageBufferBindingSize, maxBufferSize } = engine.device.limits;
    assertEqual(engine.maxBindingSize, Math.min(maxStorageBufferBindingSize, maxBufferSize));
    assert(engine.maxBindingSize >= 128 * 2 ** 20, `at least WebGPU's default 128 MiB (got ${engine.maxBindingSize})`);
  });

  it('a tensor one float over the device limit is refused up front, with the size and the limit', async () => {
    const engine = await testEngine();
    const before = engine.memory();
    const values = engine.maxBindingSize / 4 + 1;
    const e = await assertRejects(() => engine.empty([values], 'huge'), /BufferTooLargeError: huge: a buffer of \d+ bytes \(.* [KM]iB\) is larger than the \d+ bytes .* this device binds at once \(maxStorageBufferBindingSize\); use a smaller input or split the work/);
    assert(e instanceof BufferTooLargeError && e.bytes === values * 4 && e.limit === engine.maxBindingSize, 'fields');
    assertEqual(engine.memory(), before, 'pool unchanged');
  });

  it('under a lower limit: op outputs, images and buffers made elsewhere are refused before dispatch', async () => {
    const shared = await testEngine();
    const engine = new Engine(shared.device, shared.adapterInfo, { maxBindingSize: 4096 });
    assertEqual(engine.maxBindingSize, 4096);
    const image = (w: number, h: number) => ({ data: new Uint8Array(w * h * 4), width: w, height: h });
    const a = engine.tensor([64, 16], new Float32Array(1024).fill(1));
    const b = engine.tensor([16, 64], new Float32Array(1024).fill(0.5));
    const r = engine.tidy(() => relu(a));
    assertEqual(Array.from((await r.read()).subarray(0, 2)), [1, 1], 'a 4096-byte tensor fits');
    r.dispose();
    const chip = engine.tidy(() => imageToTensor(engine, image(32, 32), { size: [8, 8] }));
    assertEqual(chip.shape, [1, 8, 8, 3], 'a 4096-byte image fits');
    chip.dispose();
    const before = engine.memory();

    await assertRejects(() => engine.tidy(() => matmul(a, b)), /BufferTooLargeError: matmul.*: a buffer of 16384 bytes \(16\.0 KiB\)/);
    await assertRejects(() => engine.tensor([1025], new Float32Array(1025)), /BufferTooLargeError: input: a buffer of 4100 bytes/);
    const big = await assertRejects(() => imageToTensor(engine, image(33, 32), { size: [8, 8] }),
      /ImageTooLargeError: imageToTensor: the 33x32 image takes 4224 bytes as RGBA, more than the 4096 bytes this device binds at once \(maxStorageBufferBindingSize\): crop or downscale it first/);
    assert(big instanceof ImageTooLargeError && big.width === 33, 'image size in the error');
    await assertRejects(() => imageToTensor(engine, image(4, 4), { size: [32, 32] }), /BufferTooLargeError: imageToTensor: a buffer of 12288 bytes/);
    const foreign = engine.device.createBuffer({ size: 8192, usage: GPUBufferUsage.STORAGE, label: 'foreign' });
    await assertRejects(() => engine.dispatch({ op: 'clearForeign', kernel: CLEAR, entry: 'clear', buffers: { dst: foreign }, workgroups: 2 }),
      /BufferTooLargeError: clearForeign: buffer 'dst': a buffer of 8192 bytes/);
    foreign.destroy();
    await engine.sync();
    assertEqual(engine.memory(), before, 'nothing acquired by the refused calls');

    // A limit that is no power of two (as 2^32 - 4 on some GPUs): the pool's size classes decide.
    const odd = new Engine(shared.device, shared.adapterInfo, { maxBindingSize: 4000 });
    assert(odd.fits(3584) && !odd.fits(3600), 'fits() follows the pool size classes (3584, then 4096)');
    await assertRejects(() => odd.empty([900]), /tensor \(3600 bytes, rounded up to the pool's size class\): a buffer of 4096 bytes \(4\.0 KiB\) is larger than the 4000 bytes/);
    assertEqual(odd.memory().buffers, 0, 'nothing pooled');
    a.dispose();
    b.dispose();
    engine.trim();
  });
});
