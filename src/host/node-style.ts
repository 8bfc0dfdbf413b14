/** Node host glue for style transfer: the CenterNet feature network shipped in this package (or any file path). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Engine } from '../gpu/engine.js';
import { publicStyleTransfer } from '../tasks/style/api.js';
import type { ModelSource } from '../tasks/style/network.js';
import { createNodeEngine } from './node.js';

/** The CenterNet model.json shipped in this package (build/models/, copied from human-models by the build). */
export function centernetModelPath(): string {
  // By the package's own name: the same path from the built library, the CLI and the test bundles.
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wgsl-vision/package.json')), 'build', 'models', 'centernet.json');
}

export function fileModelSource(modelPath: string = centernetModelPath()): ModelSource {
  const path = resolve(modelPath);
  return {
    id: path,
    json: async () => JSON.parse(await readFile(path, 'utf8')),
    read: (shard) => readFile(join(dirname(path), shard)),
  };
}

let defaultEngine: Promise<Engine> | null = null;

/**
 * Style transfer in Node: styleTransfer(options) or styleTransfer(engine, options); the CenterNet
 * network loads from node_modules unless `network` or `model` (a model.json path) is given.
 */
export const styleTransfer = publicStyleTransfer((model) => fileModelSource(model), () => (defaultEngine ??= createNodeEngine()));
