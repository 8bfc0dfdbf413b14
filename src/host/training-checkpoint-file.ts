/**
 * Training checkpoints in a folder (Node): `checkpoint.json` (progress, history and the weights
 * manifest) beside `checkpoint.bin` (parameters and optimiser state, float32). Both are written
 * to temporary names and renamed, the shard first, so a run killed while saving leaves the
 * previous checkpoint whole.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHECKPOINT_FORMAT, type TrainingCheckpoint } from '../tasks/training/checkpoint.js';

const META = 'checkpoint.json';
const SHARD = 'checkpoint.bin';

export async function writeTrainingCheckpoint(dir: string, c: TrainingCheckpoint): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { weights, ...progress } = c;
  const manifest = (weights.manifest as { paths: string[] }[]).map((g) => ({ ...g, paths: [SHARD] }));
  await writeFile(join(dir, `${SHARD}.tmp`), new Uint8Array(weights.data));
  await writeFile(join(dir, `${META}.tmp`), JSON.stringify({ ...progress, manifest }));
  await rename(join(dir, `${SHARD}.tmp`), join(dir, SHARD));
  await rename(join(dir, `${META}.tmp`), join(dir, META));
}

/** The checkpoint in `dir`, or null when it holds none; a damaged one is an error that says so. */
export async function readTrainingCheckpoint(dir: string): Promise<TrainingCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(join(dir, META), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let meta: Omit<TrainingCheckpoint, 'weights'> & { manifest: unknown };
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new Error(`${join(dir, META)} is not a training checkpoint: ${(e as Error).message}`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`${join(dir, META)} is not a training checkpoint (format ${JSON.stringify(meta.format)})`);
  const bytes = await readFile(join(dir, SHARD)).catch((e: Error) => {
    throw new Error(`the checkpoint in ${dir} has no weights (${SHARD}): ${e.message}`);
  });
  const { manifest, ...progress } = meta;
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { ...progress, weights: { manifest, data } };
}
