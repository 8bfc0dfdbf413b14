import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrainingCheckpoint, writeTrainingCheckpoint } from '../../src/host/training-checkpoint-file.js';
import { CHECKPOINT_FORMAT, type TrainingCheckpoint } from '../../src/tasks/training/checkpoint.js';
import { assertEqual, assertRejects } from '../util/assert.js';

describe('training checkpoints in a folder (Node)', () => {
  it('round-trips progress and weights; an empty folder has none; a damaged one says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wv-ckpt-'));
    try {
      assertEqual(await readTrainingCheckpoint(join(dir, 'none')), null, 'no checkpoint yet');
      const data = Float32Array.from([1, 2, 3, -4.5]).buffer;
      const c: TrainingCheckpoint = {
        format: CHECKPOINT_FORMAT, version: 1, epoch: 2, step: 80, optimizerSteps: 80,
        history: [{ epoch: 1, loss: 0.5, activeFraction: 0.25, validation: null, seconds: 3 }, { epoch: 2, loss: 0.25, activeFraction: 0.125, validation: null, seconds: 3 }],
        weights: { manifest: [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }], data },
      };
      const at = join(dir, 'run');
      await writeTrainingCheckpoint(at, c);
      await writeTrainingCheckpoint(at, { ...c, epoch: 3 }); // overwritten whole
      const back = (await readTrainingCheckpoint(at))!;
      assertEqual(back.epoch, 3, 'epoch');
      assertEqual([back.step, back.optimizerSteps, back.history], [c.step, c.optimizerSteps, c.history], 'progress');
      assertEqual(back.weights.manifest, [{ paths: ['checkpoint.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }], 'manifest');
      assertEqual(Array.from(new Float32Array(back.weights.data)), [1, 2, 3, -4.5], 'weights');
      writeFileSync(join(at, 'checkpoint.json'), '{"format": "wgsl-vision-training-checkpoint", ');
      await assertRejects(() => readTrainingCheckpoint(at), /checkpoint\.json is not a training checkpoint/, 'damaged metadata');
      rmSync(join(at, 'checkpoint.bin'));
      writeFileSync(join(at, 'checkpoint.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, version: 1 }));
      await assertRejects(() => readTrainingCheckpoint(at), /has no weights \(checkpoint\.bin\)/, 'missing shard');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
