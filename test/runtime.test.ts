import { acquireDevice } from '../src/gpu/device.js';
import { Engine } from '../src/gpu/engine.js';
import { defineKernel } from '../src/gpu/kernel.js';
import { foldGrid } from '../src/gpu/engine.js';
import { packUniforms, reflectShader, workgroupSize } from '../src/gpu/reflect.js';
import { conv } from '../src/ops/conv.js';
import { relu } from '../src/ops/elementwise.js';
import { matmul } from '../src/ops/matmul.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { freshEngine, testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

const FIXTURE = `
struct Params { count: u32, shift: i32, scale: f32, offset: vec4<f32>, dims: array<vec4<u32>, 2>, tail: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
override WG: u32 = 32u;
@compute @workgroup_size(WG) fn copy_scaled(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < params.count) { dst[g.x] = src[g.x] * params.scale + params.offset.x + f32(params.shift + i32(params.dims[1].w)); }
}
@compute @workgroup_size(8, 2) fn clear(@builtin(global_invocation_id) g: vec3<u32>) { dst[g.x] = 0.0; }
`;

describe('runtime: reflection and dispatch checks', () => {
  it('reflects bindings, entry points, workgroup sizes and the uniform layout from WGSL', () => {
    const info = reflectShader('fixture', FIXTURE);
    assertEqual([...info.entries.keys()], ['copy_scaled', 'clear']);
    assertEqual(info.entries.get('copy_scaled')!.bindings.map((b) => `${b.binding}:${b.name}:${b.kind}`), ['0:params:uniform', '1:src:read-only-storage', '2:dst:storage']);
    assertEqual(info.entries.get('clear')!.bindings.map((b) => b.name), ['dst']);
    assertEqual(info.entries.get('clear')!.workgroupSize, [8, 2, 1]);
    // The override a size names is resolved at dispatch, with the values given.
    assertEqual(info.entries.get('copy_scaled')!.workgroupSizeArgs, ['WG']);
    assertEqual(workgroupSize(info.entries.get('copy_scaled')!, { WG: 16 }), [16, 1, 1]);
    assertEqual(workgroupSize(info.entries.get('copy_scaled')!, {}), [32, 1, 1]);
    const fields = Object.fromEntries([...info.uniforms.get('params')!.fields].map(([k, f]) => [k, [f.offset, f.kind, f.count]]));
    // WGSL layout rules: vec4 aligns to 16, arrays of vec4 have a 16-byte stride.
    assertEqual(fields, { count: [0, 'u32', 1], shift: [4, 'i32', 1], scale: [8, 'f32', 1], offset: [16, 'f32', 4], dims: [32, 'u32', 8], tail: [64, 'u32', 1] });
    assertEqual(info.uniforms.get('params')!.size, 80);
    assertEqual([...info.overrides], ['WG']);
  });

  it('packs uniforms by name: omitted fields are zero; unknown and mistyped values are rejected', async () => {
    const layout = reflectShader('fixture', FIXTURE).uniforms.get('params')!;
    const good = { count: 3, shift: -2, scale: 0.5, offset: [1, 2, 3, 4], dims: [1, 2, 3, 4, 5, 6, 7, 8], tail: 9 };
    const bytes = new DataView(packUniforms(layout, good, 'fixture'));
    assertEqual([bytes.getUint32(0, true), bytes.getInt32(4, true), bytes.getFloat32(8, true), bytes.getFloat32(28, true), bytes.getUint32(60, true), bytes.getUint32(64, true)], [3, -2, 0.5, 4, 8, 9]);
    const some = new DataView(packUniforms(layout, { scale: 0.5 }, 'fixture'));
    assertEqual([some.getUint32(0, true), some.getFloat32(8, true), some.getFloat32(16, true), some.getUint32(64, true)], [0, 0.5, 0, 0]);
    await assertRejects(() => packUniforms(layout, { ...good, strideH: 2 }, 'k'), /unknown uniform 'strideH'/);
    await assertRejects(() => packUniforms(layout, { ...good, count: -1 }, 'k'), /'count' must be a non-negative integer/);
    await assertRejects(() => packUniforms(layout, { ...good, shift: 1.5 }, 'k'), /'shift' must be an integer/);
    await assertRejects(() => packUniforms(layout, { ...good, offset: [1, 2] }, 'k'), /'offset' takes 4 value\(s\), got 2/);
  });

  it('dispatches a reflected kernel and rejects a missing or unknown buffer before dispatch', async () => {
    const engine = await testEngine();
    const kernel = defineKernel('fixture', FIXTURE);
    await engine.scope(async () => {
      const src = engine.tensor([40], Array.from({ length: 40 }, (_, i) => i));
      const dst = engine.empty([40]);
      const uniforms = { count: 40, shift: 1, scale: 2, offset: [0.5, 0, 0, 0], dims: [0, 0, 0, 0, 0, 0, 0, 3], tail: 0 };
      engine.dispatch({ op: 'fixture', kernel, entry: 'copy_scaled', overrides: { WG: 16 }, uniforms, buffers: { src, dst }, workgroups: 3 });
      assertClose(await dst.read(), Array.from({ length: 40 }, (_, i) => 2 * i + 4.5), { atol: 0, rtol: 0 });
      // By thread count: 40 threads in workgroups of 16 are 3 workgroups, all 40 values written.
      const byThreads = engine.empty([40]);
      engine.dispatch({ op: 'fixture', kernel, entry: 'copy_scaled', overrides: { WG: 16 }, uniforms: { ...uniforms, scale: 3 }, buffers: { src, dst: byThreads }, threads: 40 });
      assertClose(await byThreads.read(), Array.from({ length: 40 }, (_, i) => 3 * i + 4.5), { atol: 0, rtol: 0 });
      await assertRejects(() => engine.dispatch({ op: 'fixture', kernel, entry: 'copy_scaled', uniforms, buffers: { src, dst }, threads: 40, workgroups: 3 }), /give threads or workgroups/);
      await assertRejects(() => engine.dispatch({ op: 'fixture', kernel, entry: 'copy_scaled', uniforms, buffers: { src, dst } }), /give threads or workgroups/);
      await assertRejects(() => engine.dispatch({ op: 'fixture', kernel, entry: 'copy_scaled', uniforms, buffers: { src }, workgroups: 1 }), /GPUOpError: fixture: missing buffer 'dst'/);
      await assertRejects(() => engine.dispatch({ op: 'fixture', kernel, entry: 'copy_scaled', uniforms, buffers: { src, dst, extra: dst }, workgroups: 1 }), /unknown buffer\(s\) extra/);
      await assertRejects(() => engine.dispatch({ op: 'fixture', kernel, entry: 'nope', buffers: {}, workgroups: 1 }), /has no entry point 'nope'/);
      await assertRejects(() => engine.dispatch({ op: 'fixture', kernel, entry: 'clear', overrides: { TILE: 4 }, buffers: { dst }, workgroups: 1 }), /has no override 'TILE'/);
    });
  });

  it('folds grids past the per-dimension limit in one place: a 1-D grid into x·y, a 2-D grid\'s y into y·z', () => {
    assertEqual(foldGrid([100, 1, 1], 1, 65535), [100, 1, 1]);
    assertEqual(foldGrid([200_000, 1, 1], 1, 65535), [50_000, 4, 1]);
    assertEqual(foldGrid([4, 150_000, 1], 2, 65535), [4, 50_000, 3]);
    // z means something in a 3-D grid (a group, a batch entry): never folded into.
    assertEqual(foldGrid([4, 150_000, 1], 3, 65535), [4, 150_000, 1]);
    for (const [x, y] of [[65536, 1], [1_000_001, 1], [3, 70_000]] as const) {
      const [fx, fy, fz] = foldGrid([x, y, 1], y === 1 ? 1 : 2, 65535);
      assert(fx <= 65535 && fy <= 65535 && (y === 1 ? fx * fy >= x : fy * fz >= y), `[${x}, ${y}] folds to [${fx}, ${fy}, ${fz}]`);
    }
  });

  it('rejects an output bound to the same buffer as an input, naming both bindings', async () => {
    const engine = await testEngine();
    const kernel = defineKernel('fixture', FIXTURE);
    const t = engine.tensor([8], new Float32Array(8));
    const uniforms = { count: 8, shift: 0, scale: 1, offset: [0, 0, 0, 0], dims: [0, 0, 0, 0, 0, 0, 0, 0], tail: 0 };
    await assertRejects(() => engine.dispatch({ op: 'aliasedCopy', kernel, entry: 'copy_scaled', uniforms, buffers: { src: t, dst: t }, workgroups: 1 }),
      /GPUOpError: aliasedCopy: buffer 'src' is also bound as 'dst'/);
    t.dispose();
  });

  it('captures a GPU validation error (error scopes) and rethrows it with the op name', async () => {
    const engine = await freshEngine();
    const kernel = defineKernel('fixture', FIXTURE);
    const gone = engine.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE, label: 'destroyed' });
    gone.destroy();
    engine.dispatch({ op: 'clearDestroyed', kernel, entry: 'clear', buffers: { dst: gone }, workgroups: 1 });
    await assertRejects(() => engine.sync(), /GPUOpError: .*clearDestroyed.*: GPU error: .*destroyed/i);
    // The engine keeps working after a rejected batch.
    assertClose(await engine.tensor([2], [7, 8]).read(), [7, 8], { atol: 0, rtol: 0 });
    engine.destroy();
  });
});

describe('runtime: memory', () => {
  it('the buffer pool does not grow over repeated runs (tidy releases intermediates)', async () => {
    const engine = await testEngine();
    const rng = new Rng(1);
    const x = engine.keep(engine.tensor([1, 12, 12, 8], rng.array(12 * 12 * 8)));
    const w = engine.keep(engine.tensor([3, 3, 8, 16], rng.array(3 * 3 * 8 * 16)));
    const run = () => engine.scope(async () => {
      const h = relu(conv(x, w, { padding: 'same' }));
      const m = matmul(h.reshape([144, 16]), h.reshape([144, 16]), { transposeA: true });
      return (await m.read())[0];
    });
    const first = await run();
    const after1 = engine.memory();
    for (let i = 0; i < 5; i++) assertEqual(await run(), first, 'deterministic result');
    const after6 = engine.memory();
    assertEqual(after6.buffers, after1.buffers, 'pooled buffer count');
    assertEqual(after6.bytes, after1.bytes, 'pooled bytes');
    assertEqual(after6.inUse, 2, 'buffers in use (x and w only)');
    x.dispose();
    w.dispose();
    assertEqual(engine.memory().inUse, 0, 'buffers in use after dispose');
  });

  it('tidy keeps returned tensors and disposes the rest; use after dispose is an error', async () => {
    const engine = await testEngine();
    const before = engine.memory().inUse;
    const kept = engine.tidy(() => {
      const a = engine.tensor([4], [1, -2, 3, -4]);
      relu(a);
      return relu(a);
    });
    assertEqual(engine.memory().inUse, before + 1, 'one tensor survives');
    assertClose(await kept.read(), [1, 0, 3, 0], { atol: 0, rtol: 0 });
    kept.dispose();
    await assertRejects(() => kept.read(), /used after dispose/);
    assertEqual(engine.memory().inUse, before, 'all released');
  });
});

describe('runtime: device acquisition and loss', () => {
  it('names the problem when WebGPU is absent or has no adapter', async () => {
    await assertRejects(() => acquireDevice({ gpu: null }), /WebGPUUnavailableError: WebGPU is not available in this browser: navigator.gpu is missing/);
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await assertRejects(() => acquireDevice({ gpu: noAdapter }), /WebGPU is not available in this browser: no GPU adapter was found/);
  });

  it('a lost device rejects pending reads and later calls clearly; a new engine works after', async () => {
    const engine = await freshEngine();
    const t = engine.tensor([1, 16, 16, 4], new Float32Array(1024).fill(1));
    const w = engine.tensor([3, 3, 4, 4], new Float32Array(144).fill(1));
    const pending = conv(t, w).read();
    engine.device.destroy();
    await assertRejects(() => pending, /DeviceLostError: GPU device was lost .*Create a new engine/);
    await engine.lost;
    await assertRejects(() => engine.tensor([2], [1, 2]), /DeviceLostError/);
    const again = await freshEngine();
    assertClose(await again.tensor([3], [1, 2, 3]).read(), [1, 2, 3], { atol: 0, rtol: 0 });
    again.destroy();
  });

  it('Engine.create accepts an existing device', async () => {
    const shared = await testEngine();
    const other = await Engine.create({ device: shared.device });
    assert(other.device === shared.device, 'same device');
    assertClose(await other.tensor([2], [5, 6]).read(), [5, 6], { atol: 0, rtol: 0 });
  });
});
