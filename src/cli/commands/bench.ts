/** `wgsl-vision bench [args…]`: runs the Node benchmark suite (build/bench/bench-node.js). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.js';
import { CliError, EXIT } from '../errors.js';

/** The suite's bundle, next to this one in build/ (build/cli/ → build/bench/). */
export function benchSuitePath(): string {
  return process.env.WGSL_VISION_BENCH ?? fileURLToPath(new URL('../bench/bench-node.js', import.meta.url));
}

export const bench: Command = {
  name: 'bench',
  summary: 'run the benchmark suite in Node (every task and kernel family vs TensorFlow.js)',
  usage: 'bench [--size tiny|small|full] [--only kernels|tasks] [--json] [--out FILE]',
  description: [
    'Runs the Node benchmark suite (build/bench/bench-node.js) on this machine\'s adapter: our kernels',
    'and tasks against TensorFlow.js\'s WebGPU backend on the same device. Prints a table (or the',
    'report as JSON) and writes bench/results/bench-node.json. Every argument is passed to the suite;',
    '`npm run bench` runs the same suite in headless Chromium as well.',
  ],
  options: {},
  positionals: { min: 0, max: Infinity },
  passThrough: true,
  async run(ctx) {
    const suite = benchSuitePath();
    if (!existsSync(suite)) {
      // The suite holds us against TensorFlow.js, a development dependency: the published package leaves both out.
      const repository = existsSync(fileURLToPath(new URL('../../bench/suite.ts', import.meta.url)));
      throw new CliError(repository
        ? `the benchmark suite is not built (${suite} is missing): run npm run build`
        : 'the benchmark suite is not in the installed package (it runs TensorFlow.js as the reference): run it from a clone of the wgsl-vision repository with npm run bench', EXIT.usage, 'not-built');
    }
    // `bench -- --help` reaches the suite's own help.
    const args = ctx.positionals[0] === '--' ? ctx.positionals.slice(1) : ctx.positionals;
    return new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [suite, ...args], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 2 : EXIT.internal)));
    });
  },
};
