/** `wgsl-vision info`: the WebGPU adapter the engine runs on — driver, limits, features. */
import type { Command } from '../command.js';
import { CliError, EXIT } from '../errors.js';
import { adapterLine, cliGPU } from '../gpu.js';
import { keyValueLines } from '../output.js';

/** The adapter info fields Dawn reports (some are newer than the WebGPU typings). */
const INFO_FIELDS = ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter', 'subgroupMinSize', 'subgroupMaxSize'] as const;

export const info: Command = {
  name: 'info',
  summary: 'the WebGPU adapter: driver, limits and features',
  usage: 'info [options]',
  description: [
    'Shows the adapter Dawn picks (the one every other command runs on), the Vulkan driver and why it was chosen, and the adapter\'s limits and features.',
    'A hardware adapter is preferred; a CPU driver (Mesa lavapipe, else SwiftShader) is the fallback. Force one with WGSL_VISION_DRIVER=hardware|lavapipe|swiftshader|system|<path to an ICD .json file>.',
  ],
  options: {},
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const { gpu, driver, driverChoice } = await cliGPU();
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new CliError(`no WebGPU adapter found: ${driver}, yet it offers none`, EXIT.gpu, 'no-webgpu');
    const raw = adapter.info as unknown as Record<string, unknown>;
    const adapterInfo = Object.fromEntries(INFO_FIELDS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
    const limits: Record<string, number> = {};
    // GPUSupportedLimits' fields are getters on the prototype: for…in finds them.
    for (const key in adapter.limits) limits[key] = (adapter.limits as unknown as Record<string, number>)[key]!;
    const features = [...adapter.features].sort();
    ctx.out.result(
      { adapter: adapterInfo, driver, driverChoice, features, limits },
      [
        ...keyValueLines([
          ['adapter', adapterLine(adapterInfo as { description?: string })],
          ...INFO_FIELDS.filter((k) => adapterInfo[k] !== undefined && adapterInfo[k] !== '').map((k) => [k, String(adapterInfo[k])] as const),
          ['driver', `${driverChoice.name}${driverChoice.icd ? ` (${driverChoice.icd})` : ''}, ${driverChoice.kind === 'cpu' ? 'on the CPU' : 'hardware'}`],
          ['why', `${driverChoice.reason}${driverChoice.loader === 'system' ? ' (through the system Vulkan loader)' : ''}`],
        ]),
        `features (${features.length})`,
        ...wrap(features.join(', '), 96).map((l) => `  ${l}`),
        'limits',
        ...keyValueLines(Object.entries(limits).map(([k, v]) => [k, v.toLocaleString('en-US')] as const), '  '),
      ],
    );
    return EXIT.ok;
  },
};

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) (lines.push(line), (line = word));
    else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
