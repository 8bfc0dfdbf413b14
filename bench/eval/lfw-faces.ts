/**
 * Detections and landmarks of every LFW View 1 photo, computed once (SSD, 68 landmarks, border
 * 'auto', the face nearest the centre) and kept in build/cache/lfw-faces.json, so that
 * descriptor variants (model, alignment, input range) can be compared on the same faces by
 * lfw-variants.ts without detecting again. Resumes where it stopped.
 * Usage: node build/bench/lfw-faces.js [--limit N]
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createFaceRecognizer, decodeImage } from '../../src/node.js';
import { parseOptions } from '../args.js';
import { nearestCentre } from './lfw-descriptors.js';
import { imagePath, parsePairs } from './lfw-pairs.js';

export interface CachedFace {
  box: { x: number; y: number; width: number; height: number };
  /** 68 landmarks, x0 y0 x1 y1 … in the photo's pixels. */
  landmarks: number[];
  /** face-api's descriptor (its own crop), for checking the cache against eval:lfw. */
  dlib: number[];
}

export const LFW_DATA = resolve(process.cwd(), '../shared/data/lfw-view1');
export const CACHE = resolve(process.cwd(), 'build/cache/lfw-faces.json');

/** Every photo DevTrain and DevTest refer to, in first-use order. */
export function lfwPhotos(): string[] {
  const paths = new Set<string>();
  for (const f of ['pairsDevTrain.txt', 'pairsDevTest.txt']) {
    for (const p of parsePairs(readFileSync(join(LFW_DATA, f), 'utf8'), f).flat()) for (const ref of [p.a, p.b]) paths.add(imagePath(join(LFW_DATA, 'images'), ref));
  }
  return [...paths];
}

export function readCache(): Record<string, CachedFace | null> {
  return existsSync(CACHE) ? JSON.parse(readFileSync(CACHE, 'utf8')) : {};
}

async function main(): Promise<void> {
  const { limit } = parseOptions(process.argv.slice(2), { limit: { type: 'number' } }, 'usage: lfw-faces [--limit N]');
  const photos = lfwPhotos().slice(0, limit);
  const cache = readCache();
  const recognizer = await createFaceRecognizer({ detector: 'ssd', border: 'auto' });
  const save = () => {
    mkdirSync(dirname(CACHE), { recursive: true });
    writeFileSync(`${CACHE}.tmp`, JSON.stringify(cache));
    renameSync(`${CACHE}.tmp`, CACHE);
  };
  let done = 0;
  const t0 = performance.now();
  for (const path of photos) {
    if (path in cache) continue;
    const image = decodeImage(new Uint8Array(await readFile(path)), path);
    const face = nearestCentre(await recognizer.describe(image), image.width, image.height);
    cache[path] = face ? { box: face.box, landmarks: face.landmarks.flatMap((p) => [p.x, p.y]), dlib: Array.from(face.descriptor) } : null;
    if (++done % 100 === 0) {
      save();
      const each = (performance.now() - t0) / done;
      console.log(`${Object.keys(cache).length}/${photos.length} photos, ${Math.round(each)} ms each, ~${Math.round((each * (photos.length - Object.keys(cache).length)) / 60000)} min left`);
    }
  }
  save();
  recognizer.dispose();
  console.log(`${Object.keys(cache).length} photos cached in ${CACHE}`);
  process.exit(0);
}

if (/lfw-faces\.js$/.test(process.argv[1] ?? '')) await main();
