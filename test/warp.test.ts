import { warpAffine, type Affine } from '../src/ops/image.js';
import { assertClose, assertEqual, assertRejects } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

/**
 * The warp written out in float64: chip pixel centre (x + 0.5, y + 0.5) → image point by the
 * affine map; bilinear between the four texels around it (texel centres at half-integers),
 * texels outside the image black; then (v·scale − mean) / std.
 */
function reference(data: Uint8Array, width: number, height: number, t: Affine, size: number, scale: number, mean: number[], std: number[]): Float64Array {
  const out = new Float64Array(size * size * 3);
  const texel = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : data[(y * width + x) * 4 + c]!);
  for (let oy = 0; oy < size; oy++) for (let ox = 0; ox < size; ox++) {
    const u = ox + 0.5, v = oy + 0.5;
    const sx = t.a * u + t.b * v + t.c - 0.5;
    const sy = t.d * u + t.e * v + t.f - 0.5;
    const x0 = Math.floor(sx), y0 = Math.floor(sy);
    const fx = sx - x0, fy = sy - y0;
    for (let c = 0; c < 3; c++) {
      const top = texel(x0, y0, c) * (1 - fx) + texel(x0 + 1, y0, c) * fx;
      const bottom = texel(x0, y0 + 1, c) * (1 - fx) + texel(x0 + 1, y0 + 1, c) * fx;
      out[(oy * size + ox) * 3 + c] = ((top * (1 - fy) + bottom * fy) * scale - mean[c]!) / std[c]!;
    }
  }
  return out;
}

/** A similarity map (scale s, angle θ) taking the chip centre to image point (cx, cy). */
function similarity(s: number, theta: number, cx: number, cy: number, size: number): Affine {
  const a = s * Math.cos(theta), b = -s * Math.sin(theta);
  const d = s * Math.sin(theta), e = s * Math.cos(theta);
  return { a, b, c: cx - (a + b) * size / 2, d, e, f: cy - (d + e) * size / 2 };
}

describe('warpAffine (aligned face chips)', () => {
  it('random images and transforms (rotated, scaled up and down, sheared, past the edges) vs a float64 reference, several chips at once', async () => {
    const engine = await testEngine();
    const rng = new Rng(61);
    for (let trial = 0; trial < 4; trial++) {
      const width = rng.int(5, 70), height = rng.int(5, 70);
      const data = Uint8Array.from({ length: width * height * 4 }, () => rng.int(0, 255));
      const size = rng.int(3, 24);
      const transforms: Affine[] = [
        similarity(rng.uniform(0.2, 3), rng.uniform(-Math.PI, Math.PI), rng.uniform(0, width), rng.uniform(0, height), size),
        similarity(rng.uniform(0.2, 3), rng.uniform(-0.5, 0.5), rng.uniform(-5, width + 5), rng.uniform(-5, height + 5), size),
        { a: rng.uniform(-2, 2), b: rng.uniform(-2, 2), c: rng.uniform(0, width), d: rng.uniform(-2, 2), e: rng.uniform(-2, 2), f: rng.uniform(0, height) },
      ];
      const scale = trial % 2 ? 1 / 255 : 1;
      const mean = trial % 2 ? [0.5, 0.4, 0.3] : [127.5, 127.5, 127.5];
      const std = trial % 2 ? [0.25, 0.5, 1] : [128, 128, 128];
      const got = await engine.scope(async () => {
        const y = warpAffine(engine, { data, width, height }, transforms, size, { valueScale: scale, mean: mean as [number, number, number], std: std as [number, number, number] });
        assertEqual(y.shape, [transforms.length, size, size, 3]);
        return y.read();
      });
      transforms.forEach((t, n) => {
        const want = reference(data, width, height, t, size, scale, mean, std);
        assertClose(got.subarray(n * want.length, (n + 1) * want.length), want, { atol: 2e-3, rtol: 1e-4 }, `trial ${trial} chip ${n}`);
      });
    }
  });

  it('the identity map reproduces the image; a half-pixel shift averages neighbours', async () => {
    const engine = await testEngine();
    const width = 4, height = 4;
    const data = Uint8Array.from({ length: 64 }, (_, i) => (i % 4 === 3 ? 255 : (i * 7) % 251));
    const got = await engine.scope(() => warpAffine(engine, { data, width, height }, [{ a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 }, { a: 1, b: 0, c: 0.5, d: 0, e: 1, f: 0 }], 4).read());
    for (let i = 0; i < 16; i++) for (let c = 0; c < 3; c++) assertClose([got[i * 3 + c]!], [data[i * 4 + c]!], { atol: 1e-4 }, `identity pixel ${i}`);
    for (let x = 0; x < 3; x++) assertClose([got[48 + x * 3]!], [(data[x * 4]! + data[(x + 1) * 4]!) / 2], { atol: 1e-3 }, `half-pixel shift at x=${x}`);
  });

  it('refuses bad sizes and non-finite transforms', async () => {
    const engine = await testEngine();
    const image = { data: new Uint8Array(16), width: 2, height: 2 };
    const id = { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 };
    await assertRejects(async () => warpAffine(engine, image, [id], 0), /chip size must be a positive integer/);
    await assertRejects(async () => warpAffine(engine, image, [], 4), /no transforms/);
    await assertRejects(async () => warpAffine(engine, image, [{ ...id, c: NaN }], 4), /non-finite/);
    await assertRejects(async () => warpAffine(engine, { ...image, width: 3 }, [id], 4), /bad image/);
  });
});
