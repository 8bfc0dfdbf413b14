/** The style command's bridge to the style-transfer task (src/node.ts `styleTransfer`). */
import { styleTransfer, type NodeEngine, type RGBAImage } from '../node.js';
import { CliError } from './errors.js';

export interface StyleRunOptions {
  size: number;
  iterations: number;
  /** α and β in J = α·Jcontent + β·Jstyle (the flags --alpha and --beta). */
  contentWeight?: number;
  styleWeight?: number;
  seed?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'lbfgs';
  init?: 'content' | 'noise' | 'mix';
  preserveColor?: boolean;
  tvWeight?: number;
  coarseToFine?: boolean;
  /** A tfjs graph model.json; the npm package's CenterNet by default. */
  model?: string;
  network?: 'centernet-mobilenetv3' | 'vgg19';
}

export interface StyleRunStep {
  iteration: number;
  J: number;
  Jcontent: number;
  Jstyle: number;
}

export interface StyleRunHooks {
  step(s: StyleRunStep): void;
  signal?: AbortSignal;
}

/** Runs the optimisation to the end; returns the final image. */
export async function runStyleTransfer(engine: NodeEngine, content: RGBAImage, style: RGBAImage, o: StyleRunOptions, hooks: StyleRunHooks): Promise<RGBAImage> {
  let final: RGBAImage | undefined;
  const steps = styleTransfer(engine, {
    content,
    style,
    size: o.size,
    iterations: o.iterations,
    contentWeight: o.contentWeight,
    styleWeight: o.styleWeight,
    seed: o.seed,
    learningRate: o.learningRate,
    optimizer: o.optimizer,
    init: o.init,
    preserveColor: o.preserveColor,
    tvWeight: o.tvWeight,
    coarseToFine: o.coarseToFine,
    model: o.model,
    networkName: o.network,
    previewEvery: 0, // only the final image is written
    signal: hooks.signal,
  });
  for await (const step of steps) {
    hooks.step({ iteration: step.iteration, J: step.J, Jcontent: step.Jcontent, Jstyle: step.Jstyle });
    if (step.done) final = step.image;
  }
  if (!final) throw new CliError('style transfer ended without a final image');
  return final;
}
