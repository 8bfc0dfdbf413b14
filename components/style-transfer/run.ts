/** How <style-transfer> runs the optimisation: the public styleTransfer(), or a stand-in. */
import { styleTransfer, type Engine, type RGBAImage, type StyleStep } from '../../src/index.js';

export interface StyleRunOptions {
  engine: Engine;
  /** URL of the feature network's model.json (tfjs graph model). */
  modelURL: string;
  content: RGBAImage;
  style: RGBAImage;
  alpha: number;
  beta: number;
  size: number;
  iterations: number;
  optimizer: 'adam' | 'lbfgs';
  init: 'noise' | 'content' | 'mix';
  seed: number;
  tvWeight: number;
  preserveColor: boolean;
  previewEvery: number;
  signal: AbortSignal;
}

/** One progress step: the library's StyleStep. */
export type StyleRunStep = StyleStep;

/** Anything with styleTransfer()'s shape: an async sequence of steps, the last one `done` with the image. */
export type StyleRunner = (options: StyleRunOptions) => AsyncIterable<StyleRunStep>;

/** The library's styleTransfer(), the feature network loaded from `modelURL`. */
export const defaultRunner: StyleRunner = ({ engine, modelURL, ...options }) => styleTransfer(engine, { ...options, model: modelURL });
