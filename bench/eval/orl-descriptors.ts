/**
 * Face descriptors of a folder of people (ORL layout `sN/M.pgm`), computed the way
 * `npm run eval:faces` does (a border of half the image size, SSD detector, highest-scoring
 * face) and cached in build/cache/ — 400 images take minutes on a CPU-emulated adapter.
 * The cache is keyed by the folder, its file list and sizes; a change recomputes it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createFaceRecognizer } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import type { Engine } from '../../src/gpu/engine.js';
import type { RGBAImage } from '../../src/ops/image.js';
import type { EvalPair } from './face-metrics.js';

export interface FaceSample {
  person: string;
  /** Person number (sN → N). */
  personNumber: number;
  name: string;
  /** 128-D descriptor of the highest-scoring face, or null when no face was found. */
  descriptor: Float32Array | null;
}

interface CacheFile {
  format: 'wgsl-vision-face-descriptors';
  version: 1;
  key: string;
  samples: { person: string; name: string; descriptor: number[] | null }[];
}

const num = (s: string): number => Number(/\d+/.exec(s)?.[0] ?? NaN);

export interface FaceFile {
  person: string;
  name: string;
  path: string;
  bytes: number;
}

/** `DIR/sN/M.pgm|jpg|png`, people and images in numeric order. */
export function listFaceFolder(dir: string): FaceFile[] {
  if (!existsSync(dir)) throw new Error(`faces folder ${dir} does not exist`);
  return readdirSync(dir)
    .filter((d) => /^s\d+$/.test(d) && statSync(join(dir, d)).isDirectory())
    .sort((a, b) => num(a) - num(b))
    .flatMap((person) => readdirSync(join(dir, person))
      .filter((f) => /^\d+\.(pgm|jpe?g|png)$/i.test(f))
      .sort((a, b) => num(a) - num(b))
      .map((name) => ({ person, name, path: join(dir, person, name), bytes: statSync(join(dir, person, name)).size })));
}

/** The image with a border of half its size on each side (its edge pixels repeated): small face photos need room around the face for the detector. */
export const bordered = (image: RGBAImage): RGBAImage => withEdgeBorder(image, Math.round(image.width / 2), Math.round(image.height / 2)) as RGBAImage;

/** The highest-scoring face, or null for none. */
export const bestFace = <F extends { score: number }>(faces: readonly F[]): F | null => (faces.length ? faces.reduce((a, b) => (b.score > a.score ? b : a)) : null);

/** Descriptors of every image of `dir`, from the cache file when it matches the folder. */
export async function faceDescriptors(engine: Engine, dir: string, cacheFile: string, log: (line: string) => void = console.log): Promise<FaceSample[]> {
  const files = listFaceFolder(dir);
  const key = JSON.stringify(files.map((f) => [f.person, f.name, f.bytes]));
  const toSamples = (c: CacheFile): FaceSample[] => c.samples.map((s) => ({ person: s.person, personNumber: num(s.person), name: s.name, descriptor: s.descriptor ? Float32Array.from(s.descriptor) : null }));
  if (existsSync(cacheFile)) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as CacheFile;
      if (cached.format === 'wgsl-vision-face-descriptors' && cached.version === 1 && cached.key === key) {
        log(`descriptors: ${cached.samples.length} from the cache ${cacheFile}`);
        return toSamples(cached);
      }
    } catch {
      // An unreadable cache is recomputed.
    }
  }
  const recognizer = await createFaceRecognizer({ engine });
  const samples: CacheFile['samples'] = [];
  const start = performance.now();
  for (const [i, f] of files.entries()) {
    const best = bestFace(await recognizer.describe(bordered(decodeImage(readFileSync(f.path), f.path))));
    samples.push({ person: f.person, name: f.name, descriptor: best ? Array.from(best.descriptor) : null });
    if ((i + 1) % 25 === 0 || i + 1 === files.length) {
      const s = (performance.now() - start) / 1000;
      log(`  descriptors ${i + 1}/${files.length}, ${s.toFixed(0)} s, ~${((s / (i + 1)) * (files.length - i - 1)).toFixed(0)} s left`);
    }
  }
  recognizer.dispose();
  const cache: CacheFile = { format: 'wgsl-vision-face-descriptors', version: 1, key, samples };
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(cache));
  log(`descriptors: wrote the cache ${cacheFile}`);
  return toSamples(cache);
}

/**
 * Every pair among `members` (indices into `samples`), same person or not, scored on what
 * `descriptor` gives for each sample (its own descriptor by default); a pair with a missing face
 * has no score.
 */
export function facePairs(samples: readonly FaceSample[], members: readonly number[], score: (a: Float32Array, b: Float32Array) => number, descriptor: (i: number) => Float32Array | null = (i) => samples[i]!.descriptor): EvalPair[] {
  const out: EvalPair[] = [];
  for (let x = 0; x < members.length; x++) {
    for (let y = x + 1; y < members.length; y++) {
      const [i, j] = [members[x]!, members[y]!];
      const [a, b] = [descriptor(i), descriptor(j)];
      out.push({ a: i, b: j, same: samples[i]!.person === samples[j]!.person, distance: a && b ? score(a, b) : null });
    }
  }
  return out;
}
