// bench/device/run.sh, the script for the first machine with a real GPU, run here on lavapipe:
// the Vulkan loader from a folder, autotuning on, one table against TF.js WebGPU.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, assertEqual } from '../util/assert.js';

describe('bench/device/run.sh (here on lavapipe)', () => {
  it('takes the Vulkan loader from a folder, tunes the kernels, prints ms, GFLOP/s and % of the FMA peak against TF.js WebGPU, and writes the report', function () {
    this.timeout(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'wv-device-'));
    try {
      // A folder laid out as Debian's libvulkan1 unpacks, holding this machine's loader.
      const libDir = join(dir, 'loader/usr/lib/x86_64-linux-gnu');
      mkdirSync(libDir, { recursive: true });
      symlinkSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1', join(libDir, 'libvulkan.so.1'));
      const out = join(dir, 'device.json');
      // Its own empty cache of tuned picks: a pick kept from an earlier run would not be timed again.
      const run = spawnSync('bench/device/run.sh', [join(dir, 'loader')], { encoding: 'utf8', env: { ...process.env, SIZE: 'tiny', LIMIT: '240', OUT: out, WGSL_VISION_CACHE_DIR: join(dir, 'cache') } });
      const text = `${run.stdout}\n${run.stderr}`;
      assertEqual(run.status, 0, text.slice(-3000));
      assert(text.includes(`Vulkan loader: ${join(libDir, 'libvulkan.so.1')}`), 'names the loader it took');
      assert(/autotune: full/.test(text) && /tuned: conv .* → \w+/.test(text), 'tunes the kernels it meets');
      assert(/FMA peak: [\d.]+ GFLOP\/s/.test(text), 'measures the FMA peak');
      assert(/ours ms +tfjs ms +ratio +GFLOP\/s +% peak/.test(text), 'one table against TF.js WebGPU');
      const report = JSON.parse(readFileSync(out, 'utf8')) as { name: string; results: { name: string; oursMs: number | null; tfjsMs: number | null; peakPct?: number | null; streamMs?: number | null; streamCalls?: number }[] };
      assertEqual(report.name, 'device');
      const conv = report.results.find((r) => r.name.startsWith('conv'))!;
      assert(conv.oursMs! > 0 && conv.tfjsMs! > 0 && conv.peakPct! > 0, JSON.stringify(conv));
      // Kernels are timed in a stream too (several calls per read-back).
      assert(conv.streamMs! > 0 && conv.streamCalls! >= 4, `stream timing: ${JSON.stringify(conv)}`);
      // A folder without the loader is refused with the reason.
      const bad = spawnSync('bench/device/run.sh', [join(dir, 'empty')], { encoding: 'utf8' });
      assertEqual(bad.status, 2);
      assert(/no libvulkan\.so\.1 under/.test(bad.stderr), bad.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
