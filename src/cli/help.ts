/** Help texts: the top-level list of commands and each command's usage and options. */
import { COMMON_OPTIONS, type Command, type OptionSpec } from './command.js';

export function commandHelp(c: Command): string {
  const lines = [`usage: wgsl-vision ${c.usage}`, '', ...c.description];
  const own = Object.entries(c.options);
  if (own.length) lines.push('', 'options:', ...optionLines(own));
  lines.push('', 'common options:', ...optionLines(Object.entries(c.passThrough ? { help: COMMON_OPTIONS.help! } : COMMON_OPTIONS)));
  if (c.notes?.length) lines.push('', ...c.notes);
  return lines.join('\n');
}

export function topLevelHelp(commands: readonly Command[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `wgsl-vision ${version} — face verification, recognition and style transfer on WebGPU (Dawn)`,
    '',
    'usage: wgsl-vision COMMAND [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Images: JPEG, PNG or PGM files. Results go to stdout (--json for JSON), messages to stderr.',
    'Exit codes: 0 success, 1 a negative answer (no match, not recognized), 2 bad arguments,',
    '3 bad input (missing file, not an image, image too large, no face, a bad gallery or an',
    'unreachable database), 4 no WebGPU adapter, 5 other, 6 GPU error (device lost, kernel',
    'rejected, buffer over the device\'s limit).',
    'Run wgsl-vision COMMAND --help for a command\'s options.',
  ].join('\n');
}

function optionLines(entries: [string, OptionSpec][]): string[] {
  const heads = entries.map(([name, s]) => `${s.short ? `-${s.short}, ` : '    '}--${name}${s.value ? ` ${s.value}` : ''}`);
  const width = Math.max(...heads.map((h) => h.length));
  return entries.map(([, s], i) => `  ${heads[i]!.padEnd(width)}  ${s.help}`);
}
