/**
 * Node host glue: Dawn (npm `webgpu`) on a Vulkan driver. The only module that touches Node APIs.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { create, globals } from 'webgpu';
import { Engine, type EngineOptions } from '../gpu/engine.js';
import { createRequire } from 'node:module';
import type { GalleryJSON, GalleryStore } from '../tasks/face/gallery.js';
import { FACE_API_MODELS } from '../nn/face-api-models.js';
import type { RGBAImage } from '../ops/image.js';
import { FaceRecognizer, type FaceRecognizerOptions } from '../tasks/face/recognizer.js';
import { throttleDawnPolling } from './dawn-polling.js';
import { decodeImage } from './node-image.js';
import { loadWeights, WeightsError, type LoadWeightsOptions, type WeightMap } from '../nn/weights.js';

/** CPU Vulkan drivers tried in order when VK_ICD_FILENAMES is not set. */
const CPU_DRIVERS: [string, string][] = [
  ['Mesa lavapipe', '/usr/share/vulkan/icd.d/lvp_icd.json'],
  ['SwiftShader (Chromium)', '/usr/lib/chromium/vk_swiftshader_icd.json'],
];

export interface NodeGPU {
  gpu: GPU;
  /** The Vulkan driver in use: an ICD chosen here, or what the environment configured. */
  driver: string;
}

// Dawn's GPU object must stay reachable for the life of every device made from it, or the
// process crashes when it is collected: keep it for the process.
let instance: NodeGPU | null = null;

export function nodeGPU(): NodeGPU {
  if (instance) return instance;
  let driver = process.env.VK_ICD_FILENAMES ? `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}` : 'system Vulkan driver';
  if (!process.env.VK_ICD_FILENAMES) {
    const found = CPU_DRIVERS.find(([, path]) => existsSync(path));
    if (found) {
      process.env.VK_ICD_FILENAMES = found[1];
      driver = `${found[0]} (${found[1]})`;
    }
  }
  Object.assign(globalThis, globals);
  throttleDawnPolling();
  instance = { gpu: create([]) as unknown as GPU, driver };
  return instance;
}

export interface NodeEngine extends Engine {
  driver: string;
}

/** An engine on Dawn; `engine.driver` and `engine.adapterInfo` say which adapter was chosen. */
export async function createNodeEngine(options: Omit<EngineOptions, 'gpu'> = {}): Promise<NodeEngine> {
  const { gpu, driver } = nodeGPU();
  const engine = (await Engine.create({ ...options, gpu })) as NodeEngine;
  engine.driver = driver;
  return engine;
}

/** Loads a tfjs weights manifest and its shards from the file system. */
export async function loadWeightsFromFile(manifestPath: string, options: Omit<LoadWeightsOptions, 'source'> = {}): Promise<WeightMap> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    throw new WeightsError(`missing or unreadable weights manifest ${manifestPath}: ${(e as Error).message}`);
  }
  return loadWeights(manifest, (path) => readFile(join(dirname(manifestPath), path)), { ...options, source: manifestPath });
}

/** Persists a face gallery as a JSON file (written to a temporary file, then renamed over it). */
export function jsonFileGalleryStore(path: string): GalleryStore {
  return {
    async load() {
      if (!existsSync(path)) return null;
      try {
        return JSON.parse(await readFile(path, 'utf8')) as GalleryJSON;
      } catch (e) {
        throw new Error(`gallery file ${path} is not valid JSON: ${(e as Error).message}`);
      }
    },
    async save(json) {
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(json));
      await rename(tmp, path);
    },
  };
}

/** The folder of face-api's pretrained models inside its npm package. */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

export interface NodeFaceRecognizerOptions extends FaceRecognizerOptions {
  /** Folder of face-api's model files; the npm package's by default. */
  modelDir?: string;
  /** A JSON file the gallery persists to (in memory if absent). */
  galleryFile?: string;
  engine?: Engine;
}

/** Node images: encoded JPEG, PNG or PGM bytes, or RGBA pixels. */
export type NodeImageInput = Uint8Array | RGBAImage;

/** The face pipeline in Node, on Dawn. */
export async function createFaceRecognizer(options: NodeFaceRecognizerOptions = {}): Promise<FaceRecognizer<NodeImageInput>> {
  const engine = options.engine ?? (await createNodeEngine());
  const dir = options.modelDir ?? faceApiModelDir();
  return FaceRecognizer.create<NodeImageInput>(
    engine,
    (model) => loadWeightsFromFile(join(dir, FACE_API_MODELS[model].manifest), { sha256: FACE_API_MODELS[model].sha256 }),
    async (image) => (image instanceof Uint8Array ? decodeImage(image) : image),
    { ...options, store: options.store ?? (options.galleryFile ? jsonFileGalleryStore(options.galleryFile) : undefined) },
  );
}
