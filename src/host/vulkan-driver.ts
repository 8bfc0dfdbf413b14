/**
 * Which Vulkan driver Dawn runs on in Node: a pure function of the request (the `driver` option
 * or WGSL_VISION_DRIVER), the environment, the driver files installed and the adapter a probe
 * found. The probing itself (Dawn instances, process.env) is in node.ts.
 */
import { WebGPUUnavailableError } from '../gpu/errors.js';

/** CPU Vulkan drivers in order of preference: how their adapters name themselves, the ICD files each is installed as. */
export const CPU_DRIVERS = [
  {
    id: 'lavapipe',
    name: 'Mesa lavapipe',
    adapter: /llvmpipe|lavapipe/i,
    icds: ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json', '/usr/share/vulkan/icd.d/lvp_icd.aarch64.json'],
    install: 'Debian/Ubuntu: apt-get install mesa-vulkan-drivers',
  },
  { id: 'swiftshader', name: 'SwiftShader', adapter: /swiftshader/i, icds: ['/usr/lib/chromium/vk_swiftshader_icd.json'], install: 'it comes with Chromium' },
] as const;

type CpuDriver = (typeof CPU_DRIVERS)[number];

const installedIcd = (d: CpuDriver, installed: readonly string[]): string | undefined => d.icds.find((f) => installed.includes(f));

const KEYWORDS = ['auto', 'hardware', 'lavapipe', 'swiftshader', 'system'] as const;

/**
 * 'auto' (a hardware adapter, else a CPU driver), 'hardware', 'lavapipe', 'swiftshader',
 * 'system' (the Vulkan loader as the environment configures it) or the path of an ICD .json file.
 */
export type VulkanDriverOption = (typeof KEYWORDS)[number] | (string & {});

export interface VulkanEnv {
  WGSL_VISION_DRIVER?: string;
  VK_ICD_FILENAMES?: string;
  VK_DRIVER_FILES?: string;
}

/** What an adapter says about itself: enough to tell a GPU from a CPU driver. */
export interface ProbedAdapter {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export interface DriverChoice {
  /** 'hardware': a GPU; 'cpu': a Vulkan driver running on the CPU. */
  kind: 'hardware' | 'cpu';
  /** 'Mesa lavapipe', 'SwiftShader', or the GPU's description. */
  name: string;
  /** The ICD file(s), where known. */
  icd?: string;
  /** 'system': the Vulkan loader as the environment configures it; 'icd': pointed at `icd` alone. */
  loader: 'system' | 'icd';
  /** Why this driver: "no hardware adapter found", "forced by WGSL_VISION_DRIVER=swiftshader", … */
  reason: string;
}

export interface DriverInput {
  /** The `driver` option; it wins over env.WGSL_VISION_DRIVER. */
  option?: VulkanDriverOption;
  env: VulkanEnv;
  /** The files among icdCandidates() that exist. */
  installed: readonly string[];
  /** The adapter found where probeTarget() said to look; null: none, or nothing to probe. */
  probe: ProbedAdapter | null;
}

interface Request {
  value: string;
  /** "forced by …", or '' for the default. */
  forced: string;
}

function request(option: string | undefined, env: VulkanEnv): Request {
  const [value, origin] = option ? [option, `the driver option ('${option}')`] : env.WGSL_VISION_DRIVER ? [env.WGSL_VISION_DRIVER, `WGSL_VISION_DRIVER=${env.WGSL_VISION_DRIVER}`] : ['auto', ''];
  if (!(KEYWORDS as readonly string[]).includes(value) && !value.endsWith('.json')) {
    throw new WebGPUUnavailableError(`${origin}: unknown Vulkan driver; use ${KEYWORDS.join(', ')} or the path of a Vulkan driver's ICD .json file`);
  }
  return { value, forced: value === 'auto' ? '' : `forced by ${origin}` };
}

/** The ICD files the user's environment names (VK_DRIVER_FILES wins, as in the loader). */
function userIcds(env: VulkanEnv): { variable: string; value: string; files: string[] } | null {
  const variable = env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : env.VK_ICD_FILENAMES ? 'VK_ICD_FILENAMES' : null;
  if (!variable) return null;
  const value = env[variable as keyof VulkanEnv]!;
  return { variable, value, files: value.split(':').filter(Boolean) };
}

/** The files whose existence the choice depends on. */
export function icdCandidates(option: VulkanDriverOption | undefined, env: VulkanEnv): string[] {
  const { value } = request(option, env);
  return [...CPU_DRIVERS.flatMap((d) => d.icds), ...(userIcds(env)?.files ?? []), ...(value.endsWith('.json') ? [value] : [])];
}

/**
 * Where to probe for an adapter before choosing: `{}` the Vulkan loader as the environment
 * configures it, `{ icd }` that driver file alone, null nowhere (the forced driver is missing).
 */
export function probeTarget({ option, env, installed }: Omit<DriverInput, 'probe'>): { icd?: string } | null {
  const { value } = request(option, env);
  const cpu = CPU_DRIVERS.find((d) => d.id === value);
  if (cpu) {
    const icd = installedIcd(cpu, installed);
    return icd ? { icd } : null;
  }
  if (value.endsWith('.json')) return installed.includes(value) ? { icd: value } : null;
  return {};
}

/** The CPU driver an adapter names, if any. */
const cpuDriverOf = (a: ProbedAdapter): CpuDriver | undefined => CPU_DRIVERS.find((d) => d.adapter.test([a.description, a.device, a.vendor, a.architecture].join(' ')));

const isCpuAdapter = (a: ProbedAdapter): boolean => a.isFallbackAdapter === true || cpuDriverOf(a) !== undefined;

const label = (a: ProbedAdapter): string => a.description || a.device || a.vendor || 'unknown adapter';

/** A probed adapter as a choice: CPU adapters by their driver's name (and its file, if installed). */
function fromAdapter(a: ProbedAdapter, installed: readonly string[], loader: DriverChoice['loader'], reason: string, icd?: string): DriverChoice {
  if (!isCpuAdapter(a)) return { kind: 'hardware', name: label(a), ...(icd && { icd }), loader, reason };
  const driver = cpuDriverOf(a);
  const file = icd ?? (driver && installedIcd(driver, installed));
  return { kind: 'cpu', name: driver?.name ?? `CPU adapter ${label(a)}`, ...(file && { icd: file }), loader, reason };
}

const unavailable = (why: string) => new WebGPUUnavailableError(`no WebGPU adapter found: ${why}`);

/** The driver to run on, or a WebGPUUnavailableError saying what was found and what to do. */
export function chooseVulkanDriver({ option, env, installed, probe }: DriverInput): DriverChoice {
  const { value, forced } = request(option, env);
  const cpu = CPU_DRIVERS.find((d) => d.id === value);
  if (cpu) {
    const icd = installedIcd(cpu, installed);
    if (!icd) throw unavailable(`${cpu.name} is not installed (looked for ${cpu.icds.join(', ')}; ${cpu.install}), ${forced}`);
    if (!probe) throw unavailable(`${cpu.name} (${icd}) offers no adapter, ${forced}`);
    return { kind: 'cpu', name: cpu.name, icd, loader: 'icd', reason: forced };
  }
  if (value.endsWith('.json')) {
    if (!installed.includes(value)) throw unavailable(`the Vulkan driver file ${value} does not exist, ${forced}`);
    if (!probe) throw unavailable(`the Vulkan driver ${value} offers no adapter, ${forced}`);
    return fromAdapter(probe, installed, 'icd', forced, value);
  }

  // auto, hardware, system: the Vulkan loader as the environment configures it.
  const user = userIcds(env);
  const loader = user ? `the Vulkan loader with ${user.variable}=${user.value}` : 'the system Vulkan loader';
  if (user && !user.files.some((f) => installed.includes(f))) {
    throw unavailable(`${user.variable} names ${user.files.join(', ')}, which does not exist`);
  }
  if (value === 'hardware') {
    if (probe && !isCpuAdapter(probe)) return fromAdapter(probe, installed, 'system', forced, user?.value);
    throw unavailable(`no hardware adapter (${forced}): ${loader} found ${probe ? `only the CPU adapter ${label(probe)}` : 'no adapter'}; 'auto' runs on a CPU driver instead`);
  }
  if (probe) {
    const why = forced || (user ? `${user.variable} is set in the environment` : isCpuAdapter(probe) ? 'no hardware adapter found' : 'a hardware adapter, preferred over CPU drivers');
    return fromAdapter(probe, installed, 'system', why, user?.value);
  }
  if (user) throw unavailable(`${loader} found no adapter${forced && ` (${forced})`}: unset ${user.variable} to let wgsl-vision choose, or point it at a Vulkan driver's ICD .json file`);
  if (value === 'system') throw unavailable(`${loader} found no adapter (${forced}): install a Vulkan driver (${CPU_DRIVERS[0].install}) or let wgsl-vision choose (WGSL_VISION_DRIVER=auto)`);
  for (const d of CPU_DRIVERS) {
    const icd = installedIcd(d, installed);
    if (icd) return { kind: 'cpu', name: d.name, icd, loader: 'icd', reason: 'no hardware adapter found (the system Vulkan loader found no adapter)' };
  }
  throw unavailable(
    `the system Vulkan loader found no adapter and no CPU Vulkan driver is installed (looked for ${CPU_DRIVERS.flatMap((d) => d.icds).join(', ')}): ` +
      `install Mesa lavapipe (${CPU_DRIVERS[0].install}) or point WGSL_VISION_DRIVER (or VK_ICD_FILENAMES) at a Vulkan driver's ICD .json file`,
  );
}

/** The choice in one line that reads after "via": driver, file, loader and why. */
export function describeDriverChoice(c: DriverChoice): string {
  return `${c.name}${c.icd ? ` (${c.icd})` : ''}${c.loader === 'system' ? ' through the system Vulkan loader' : ''}: ${c.reason}`;
}
