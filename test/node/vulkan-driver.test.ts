// The Node host's Vulkan driver choice: the pure function for each case (what is installed, the
// option and environment, what the probe found), then the real choice on this machine.
import assert from 'node:assert/strict';
import { WebGPUUnavailableError } from '../../src/gpu/errors.js';
import { createNodeEngine } from '../../src/host/node.js';
import { chooseVulkanDriver, describeDriverChoice, icdCandidates, probeTarget, type DriverInput, type ProbedAdapter } from '../../src/host/vulkan-driver.js';

const LVP = '/usr/share/vulkan/icd.d/lvp_icd.json';
const LVP_X86 = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';
const SWS = '/usr/lib/chromium/vk_swiftshader_icd.json';
const NVIDIA: ProbedAdapter = { vendor: 'nvidia', architecture: 'ada-lovelace', device: '', description: 'NVIDIA GeForce RTX 4090', isFallbackAdapter: false };
const LLVMPIPE: ProbedAdapter = { vendor: 'mesa', architecture: '', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)', isFallbackAdapter: true };
const SWIFTSHADER: ProbedAdapter = { vendor: 'google', architecture: '', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };

const choose = (input: Partial<DriverInput>) => chooseVulkanDriver({ env: {}, installed: [], probe: null, ...input });
const target = (input: Partial<DriverInput>) => probeTarget({ env: {}, installed: [], ...input });
const refuses = (input: Partial<DriverInput>, pattern: RegExp) =>
  assert.throws(() => choose(input), (e: Error) => e instanceof WebGPUUnavailableError && pattern.test(e.message), `${JSON.stringify(input)} throws ${pattern}`);

describe('Vulkan driver choice (Node host)', () => {
  describe('auto (the default)', () => {
    it('a hardware adapter from the system loader wins, even with lavapipe and SwiftShader installed', () => {
      const c = choose({ installed: [LVP, SWS], probe: NVIDIA });
      assert.deepEqual(c, { kind: 'hardware', name: 'NVIDIA GeForce RTX 4090', loader: 'system', reason: 'a hardware adapter, preferred over CPU drivers' });
      assert.equal(describeDriverChoice(c), 'NVIDIA GeForce RTX 4090 through the system Vulkan loader: a hardware adapter, preferred over CPU drivers');
    });

    it("the system loader's CPU adapter (lavapipe registered) when there is no hardware adapter", () => {
      const c = choose({ installed: [LVP, SWS], probe: LLVMPIPE });
      assert.deepEqual(c, { kind: 'cpu', name: 'Mesa lavapipe', icd: LVP, loader: 'system', reason: 'no hardware adapter found' });
      assert.equal(describeDriverChoice(c), `Mesa lavapipe (${LVP}) through the system Vulkan loader: no hardware adapter found`);
      assert.equal(choose({ installed: [LVP_X86], probe: LLVMPIPE }).icd, LVP_X86, 'the arch-named ICD file');
    });

    it('an adapter that only says isFallbackAdapter, or names a CPU driver, counts as a CPU one', () => {
      assert.equal(choose({ probe: { description: 'Some Adapter', isFallbackAdapter: true } }).kind, 'cpu');
      assert.equal(choose({ probe: { description: 'Some Adapter', isFallbackAdapter: true } }).name, 'CPU adapter Some Adapter');
      assert.equal(choose({ probe: { ...SWIFTSHADER, isFallbackAdapter: undefined } }).name, 'SwiftShader');
    });

    it('the loader finds nothing: our CPU drivers in order, lavapipe first, then SwiftShader', () => {
      assert.deepEqual(choose({ installed: [LVP, SWS] }), { kind: 'cpu', name: 'Mesa lavapipe', icd: LVP, loader: 'icd', reason: 'no hardware adapter found (the system Vulkan loader found no adapter)' });
      assert.deepEqual(choose({ installed: [SWS] }), { kind: 'cpu', name: 'SwiftShader', icd: SWS, loader: 'icd', reason: 'no hardware adapter found (the system Vulkan loader found no adapter)' });
    });

    it('no driver at all: says what to install and how to point at a driver', () => {
      refuses({}, /system Vulkan loader found no adapter and no CPU Vulkan driver is installed \(looked for .*lvp_icd\.json.*vk_swiftshader_icd\.json\): install Mesa lavapipe \(Debian\/Ubuntu: apt-get install mesa-vulkan-drivers\) or point WGSL_VISION_DRIVER/);
    });

    it('the system loader is probed as the environment configures it', () => {
      assert.deepEqual(target({ env: {}, installed: [LVP] }), {});
      assert.deepEqual(target({ env: { VK_ICD_FILENAMES: '/x.json' }, installed: [] }), {});
    });
  });

  describe('VK_ICD_FILENAMES / VK_DRIVER_FILES set by the user', () => {
    it('are respected: no fallback to our list, whatever the loader finds is taken', () => {
      const env = { VK_ICD_FILENAMES: SWS };
      assert.deepEqual(choose({ env, installed: [LVP, SWS], probe: SWIFTSHADER }), { kind: 'cpu', name: 'SwiftShader', icd: SWS, loader: 'system', reason: 'VK_ICD_FILENAMES is set in the environment' });
      assert.deepEqual(choose({ env: { VK_ICD_FILENAMES: '/opt/nv.json' }, installed: ['/opt/nv.json'], probe: NVIDIA }).kind, 'hardware');
      assert.equal(choose({ env: { VK_DRIVER_FILES: LVP, VK_ICD_FILENAMES: SWS }, installed: [LVP, SWS], probe: LLVMPIPE }).reason, 'VK_DRIVER_FILES is set in the environment', 'VK_DRIVER_FILES wins, as in the loader');
      refuses({ env, installed: [LVP, SWS], probe: null }, /no WebGPU adapter found: the Vulkan loader with VK_ICD_FILENAMES=.*vk_swiftshader_icd\.json found no adapter: unset VK_ICD_FILENAMES/);
    });

    it('a file that does not exist is named', () => {
      refuses({ env: { VK_ICD_FILENAMES: '/tmp/absent.json' }, installed: [LVP] }, /VK_ICD_FILENAMES names \/tmp\/absent\.json, which does not exist/);
      assert.deepEqual(icdCandidates(undefined, { VK_ICD_FILENAMES: '/a.json:/b.json' }).slice(-2), ['/a.json', '/b.json'], 'the files to look for');
    });
  });

  describe('forced (driver option or WGSL_VISION_DRIVER)', () => {
    for (const [source, input, origin] of [
      ['the option', (v: string) => ({ option: v }), (v: string) => `the driver option ('${v}')`],
      ['WGSL_VISION_DRIVER', (v: string) => ({ env: { WGSL_VISION_DRIVER: v } }), (v: string) => `WGSL_VISION_DRIVER=${v}`],
    ] as const) {
      it(`by ${source}: lavapipe, swiftshader, hardware, system, an ICD path, auto`, () => {
        const installed = [LVP, SWS, '/opt/my_icd.json'];
        assert.deepEqual(target({ ...input('swiftshader'), installed }), { icd: SWS }, 'a named CPU driver is probed alone');
        assert.deepEqual(choose({ ...input('lavapipe'), installed, probe: LLVMPIPE }), { kind: 'cpu', name: 'Mesa lavapipe', icd: LVP, loader: 'icd', reason: `forced by ${origin('lavapipe')}` });
        assert.deepEqual(choose({ ...input('swiftshader'), installed, probe: SWIFTSHADER }), { kind: 'cpu', name: 'SwiftShader', icd: SWS, loader: 'icd', reason: `forced by ${origin('swiftshader')}` });
        assert.deepEqual(choose({ ...input('hardware'), installed, probe: NVIDIA }), { kind: 'hardware', name: 'NVIDIA GeForce RTX 4090', loader: 'system', reason: `forced by ${origin('hardware')}` });
        assert.deepEqual(choose({ ...input('system'), installed, probe: LLVMPIPE }), { kind: 'cpu', name: 'Mesa lavapipe', icd: LVP, loader: 'system', reason: `forced by ${origin('system')}` });
        assert.deepEqual(target({ ...input('/opt/my_icd.json'), installed }), { icd: '/opt/my_icd.json' });
        assert.deepEqual(choose({ ...input('/opt/my_icd.json'), installed, probe: NVIDIA }), { kind: 'hardware', name: 'NVIDIA GeForce RTX 4090', icd: '/opt/my_icd.json', loader: 'icd', reason: `forced by ${origin('/opt/my_icd.json')}` });
        assert.equal(choose({ ...input('auto'), installed, probe: NVIDIA }).reason, 'a hardware adapter, preferred over CPU drivers');
      });

      it(`by ${source}: refused with what was found when the forced driver is missing`, () => {
        refuses({ ...input('hardware'), installed: [LVP], probe: LLVMPIPE }, new RegExp(`no hardware adapter \\(forced by ${origin('hardware').replace(/[()]/g, '\\$&')}\\): the system Vulkan loader found only the CPU adapter llvmpipe`));
        refuses({ ...input('hardware'), installed: [LVP], probe: null }, /no hardware adapter .*found no adapter/);
        refuses({ ...input('lavapipe'), installed: [SWS] }, /Mesa lavapipe is not installed \(looked for .*lvp_icd\.json.*apt-get install mesa-vulkan-drivers\)/);
        refuses({ ...input('swiftshader'), installed: [LVP] }, /SwiftShader is not installed .*comes with Chromium/);
        refuses({ ...input('/opt/none.json'), installed: [LVP] }, /the Vulkan driver file \/opt\/none\.json does not exist/);
        refuses({ ...input('system'), installed: [LVP], probe: null }, /the system Vulkan loader found no adapter \(forced by/);
        refuses({ ...input('lavapipe'), installed: [LVP], probe: null }, /Mesa lavapipe \(.*\) offers no adapter/);
        assert.equal(target({ ...input('lavapipe'), installed: [] }), null, 'nothing to probe');
      });
    }

    it('the option beats WGSL_VISION_DRIVER; both beat VK_ICD_FILENAMES', () => {
      const env = { WGSL_VISION_DRIVER: 'lavapipe', VK_ICD_FILENAMES: LVP };
      assert.equal(choose({ option: 'swiftshader', env, installed: [LVP, SWS], probe: SWIFTSHADER }).name, 'SwiftShader');
      assert.deepEqual(target({ option: 'swiftshader', env, installed: [LVP, SWS] }), { icd: SWS });
      assert.equal(choose({ env: { ...env, WGSL_VISION_DRIVER: 'swiftshader' }, installed: [LVP, SWS], probe: SWIFTSHADER }).icd, SWS);
    });

    it('an unknown value is refused with the values allowed', () => {
      refuses({ option: 'nvidia' }, /the driver option \('nvidia'\): unknown Vulkan driver; use auto, hardware, lavapipe, swiftshader, system or the path/);
      refuses({ env: { WGSL_VISION_DRIVER: 'gpu' } }, /WGSL_VISION_DRIVER=gpu: unknown Vulkan driver/);
    });
  });

  describe('on this machine (no GPU; lavapipe and Chromium installed)', () => {
    it("createNodeEngine() ends on lavapipe: no hardware adapter found; driver 'swiftshader' gives SwiftShader in the same process", async function () {
    if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.WGSL_VISION_DRIVER) this.skip(); // the user chose a driver
      const auto = await createNodeEngine();
      assert.equal(auto.driverChoice.kind, 'cpu');
      assert.equal(auto.driverChoice.name, 'Mesa lavapipe');
      assert.match(auto.driverChoice.reason, /no hardware adapter found/);
      assert.match(auto.driver, /^Mesa lavapipe .*: no hardware adapter found/);
      assert.match(auto.adapterInfo.description, /llvmpipe/);
      const sws = await createNodeEngine({ driver: 'swiftshader' });
      assert.deepEqual(sws.driverChoice, { kind: 'cpu', name: 'SwiftShader', icd: SWS, loader: 'icd', reason: "forced by the driver option ('swiftshader')" });
      assert.match(sws.adapterInfo.description, /SwiftShader/);
      assert.equal(process.env.VK_ICD_FILENAMES, undefined, 'the environment is left as it was');
      const again = await createNodeEngine();
      assert.match(again.adapterInfo.description, /llvmpipe/, 'the default choice is kept');
      for (const e of [auto, sws, again]) e.destroy();
    });
  });
});
