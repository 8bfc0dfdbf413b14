/**
 * wgsl-vision command line (Node, on Dawn): verify, enroll, identify, gallery, style, visualize, bench, info.
 * bin/wgsl-vision.js runs this bundle (build/cli/wgsl-vision.js).
 */
import { parseCommandArgs, type Command } from './command.js';
import { bench } from './commands/bench.js';
import { enroll } from './commands/enroll.js';
import { gallery } from './commands/gallery.js';
import { identify } from './commands/identify.js';
import { info } from './commands/info.js';
import { style } from './commands/style.js';
import { verify } from './commands/verify.js';
import { visualize } from './commands/visualize.js';
import { EXIT, reportOf, UsageError } from './errors.js';
import { commandHelp, topLevelHelp } from './help.js';
import { Output, toJSON } from './output.js';

/** package.json's version, set by the build (esbuild.mjs). */
declare const WGSL_VISION_VERSION: string;
const VERSION = WGSL_VISION_VERSION;

export const COMMANDS: readonly Command[] = [verify, enroll, identify, gallery, style, visualize, bench, info];

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const quiet = argv.includes('--quiet') || argv.includes('-q');
  const [name, ...rest] = argv;
  let commandName: string | undefined;
  const out = new Output({ json, quiet });
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const about = name === 'help' && rest[0] ? find(rest[0]) : null;
      write(about ? commandHelp(about) : topLevelHelp(COMMANDS, VERSION));
      return EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      write(json ? toJSON({ version: VERSION }) : VERSION);
      return EXIT.ok;
    }
    if (name.startsWith('-')) throw new UsageError(`expected a command before ${name}`);
    const command = find(name);
    commandName = command.name;
    if (command.passThrough) {
      const own = rest.indexOf('--') < 0 ? rest : rest.slice(0, rest.indexOf('--'));
      if (own.includes('--help') || own.includes('-h')) return (write(commandHelp(command)), EXIT.ok);
      return await command.run({ values: {}, positionals: rest, out, debug });
    }
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help) return (write(commandHelp(command)), EXIT.ok);
    return await command.run({ values, positionals, out, debug });
  } catch (e) {
    out.endProgress(); // an error line must not run on from a progress bar
    const report = reportOf(e);
    process.stderr.write(`wgsl-vision${commandName ? ` ${commandName}` : ''}: ${report.message}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    if (json) process.stdout.write(`${toJSON({ error: report })}\n`);
    return report.exitCode;
  }
}

function find(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  return command;
}

function write(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Waits for stdout and stderr to drain, then exits: Dawn would otherwise keep the process alive. */
async function exit(code: number): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

// A reader that closes stdout early (`wgsl-vision info | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
});

await exit(await main(process.argv.slice(2)));
