import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTuneStore, nodeCacheDir } from '../../src/host/autotune-file.js';
import { assertEqual } from '../util/assert.js';

describe('autotune picks in a file (Node)', () => {
  it('keeps each adapter\'s picks in one JSON file, written whole; a missing or corrupted file reads as no picks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wv-tune-'));
    try {
      const file = join(dir, 'deep', 'autotune.json');
      const store = fileTuneStore(file);
      assertEqual(await store.load('gpu A'), {}, 'no file yet');
      await store.save('gpu A', { 'conv|2d k3x3': 'subgroup' });
      await store.save('gpu B | driver 2', { 'matmul|M64': 'blocked8' });
      assertEqual(JSON.parse(readFileSync(file, 'utf8')), { 'gpu A': { 'conv|2d k3x3': 'subgroup' }, 'gpu B | driver 2': { 'matmul|M64': 'blocked8' } });
      assertEqual(await fileTuneStore(file).load('gpu A'), { 'conv|2d k3x3': 'subgroup' }, 'read back by another store');
      writeFileSync(file, '{"gpu A": {"conv|2d');
      assertEqual(await store.load('gpu A'), {}, 'a truncated file is no picks, not an error');
      // The tests' own cache folder (scripts set it): a test run never reads a user's cache.
      assertEqual(nodeCacheDir().endsWith('build/test-cache/'), true, nodeCacheDir());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
