/**
 * Loader for TensorFlow.js weight manifests (`*-weights_manifest.json` + binary shards), the
 * format pretrained models ship in. Shards are concatenated per group and split into named
 * f32 arrays; uint8/uint16-quantised weights (v = q·scale + min) and float16 are expanded.
 * Sizes are always checked, and SHA-256 checksums of the shards when they are known, so a
 * missing, truncated or wrong file fails with an error that names it.
 */

export class WeightsError extends Error {
  override name = 'WeightsError';
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface Weight {
  shape: number[];
  data: Float32Array;
}

/** Reads one shard named in the manifest (a path relative to the manifest). */
export type ShardReader = (path: string) => Promise<ArrayBuffer | ArrayBufferView>;

export interface LoadWeightsOptions {
  /** Where the manifest came from, for error messages. */
  source?: string;
  /** Expected SHA-256 (hex) per shard path; a mismatch means a wrong or corrupted file. */
  sha256?: Record<string, string>;
}

export class WeightMap {
  constructor(readonly source: string, private readonly weights: Map<string, Weight>) {}

  get names(): string[] {
    return [...this.weights.keys()];
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  /** The named weight; with `shape`, also checks it (wrong weights for this network). */
  get(name: string, shape?: readonly number[]): Weight {
    const w = this.weights.get(name);
    if (!w) throw new WeightsError(`wrong weights: '${name}' is not in ${this.source}`);
    if (shape && (shape.length !== w.shape.length || shape.some((d, i) => d !== w.shape[i]))) {
      throw new WeightsError(`wrong weights: '${name}' in ${this.source} has shape [${w.shape}], expected [${shape}]`);
    }
    return w;
  }
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function parseManifest(json: unknown, source: string): WeightGroup[] {
  const bad = (why: string) => new WeightsError(`wrong weights: ${source} is not a tfjs weights manifest (${why})`);
  if (!Array.isArray(json) || json.length === 0) throw bad('expected a non-empty array of {paths, weights}');
  return json.map((g, i) => {
    if (!g || !Array.isArray(g.paths) || !g.paths.every((p: unknown) => typeof p === 'string' && p.length > 0)) throw bad(`group ${i} has no 'paths'`);
    if (!Array.isArray(g.weights)) throw bad(`group ${i} has no 'weights'`);
    for (const w of g.weights) {
      if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || !w.shape.every((d: unknown) => Number.isInteger(d) && (d as number) >= 0)) {
        throw bad(`group ${i} has a weight without a name or integer shape`);
      }
      const stored = w.quantization?.dtype ?? w.dtype;
      if (!(stored in BYTES) || !(w.dtype in BYTES)) throw bad(`'${w.name}' has unsupported dtype ${stored}`);
    }
    return g as WeightGroup;
  });
}

function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decode(spec: WeightSpec, bytes: Uint8Array): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const q = spec.quantization;
  if (q?.dtype === 'uint8' || q?.dtype === 'uint16') {
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < count; i++) out[i] = (q.dtype === 'uint8' ? bytes[i]! : view.getUint16(2 * i, true)) * scale + min;
  } else if (q?.dtype === 'float16') {
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(2 * i, true));
  } else if (spec.dtype === 'float32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  } else if (spec.dtype === 'int32') {
    for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, true);
  } else {
    for (let i = 0; i < count; i++) out[i] = bytes[i]!;
  }
  return out;
}

/** Loads every weight a manifest describes; `read` fetches shards by their manifest path. */
export async function loadWeights(manifest: unknown, read: ShardReader, options: LoadWeightsOptions = {}): Promise<WeightMap> {
  const source = options.source ?? 'weights manifest';
  const groups = parseManifest(manifest, source);
  const weights = new Map<string, Weight>();
  for (const [gi, group] of groups.entries()) {
    const shards = await Promise.all(group.paths.map(async (path) => {
      let bytes: Uint8Array;
      try {
        bytes = asBytes(await read(path));
      } catch (e) {
        throw new WeightsError(`missing weights file '${path}' (listed in ${source}): ${(e as Error).message}`);
      }
      const expected = options.sha256?.[path];
      if (expected && (await sha256Hex(bytes)) !== expected) {
        throw new WeightsError(`wrong weights file '${path}' (listed in ${source}): its SHA-256 does not match the published model (corrupted, or another version)`);
      }
      return bytes;
    }));
    const total = shards.reduce((a, s) => a + s.length, 0);
    const all = new Uint8Array(total);
    shards.reduce((at, s) => (all.set(s, at), at + s.length), 0);
    const needed = group.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1) * BYTES[w.quantization?.dtype ?? w.dtype]!, 0);
    if (total < needed) throw new WeightsError(`truncated weights: ${group.paths.join(' + ')} hold ${total} bytes, ${source} needs ${needed} (group ${gi})`);
    if (total > needed) throw new WeightsError(`wrong weights: ${group.paths.join(' + ')} hold ${total} bytes, more than the ${needed} ${source} describes (group ${gi})`);
    let at = 0;
    for (const spec of group.weights) {
      const size = spec.shape.reduce((x, y) => x * y, 1) * BYTES[spec.quantization?.dtype ?? spec.dtype]!;
      weights.set(spec.name, { shape: [...spec.shape], data: decode(spec, all.subarray(at, at + size)) });
      at += size;
    }
  }
  return new WeightMap(source, weights);
}
