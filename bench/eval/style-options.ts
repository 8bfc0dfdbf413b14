/** The options of `npm run eval:style`, shared by its driver (run-eval-style.ts), the Node part (eval-style.ts) and the page (eval-style-browser.ts, from its query). */
import { parseOptions } from '../args.js';

export const STYLE_EVAL_OPTIONS = {
  size: { type: 'number', default: 192 },
  iterations: { type: 'number', default: 150 },
  seed: { type: 'number', default: 1 },
  rounds: { type: 'number', default: 8 },
  'no-webgpu': { type: 'boolean' },
  profile: { type: 'boolean' },
  detail: { type: 'boolean' },
  host: { type: 'string', default: 'all', choices: ['all', 'node', 'chromium'] },
} as const;

export const STYLE_EVAL_USAGE = 'usage: eval-style [--size N] [--iterations N] [--seed N] [--rounds N] [--no-webgpu] [--profile [--detail]] [--host node|chromium]';

export const parseStyleEvalArgs = (argv: readonly string[]) => parseOptions(argv, STYLE_EVAL_OPTIONS, STYLE_EVAL_USAGE);
