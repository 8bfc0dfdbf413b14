/** The style command's bridge to the style-transfer task (src/node.ts `styleTransfer`). */
import type { NodeEngine, RGBAImage } from '../node.js';
import { CliError, EXIT } from './errors.js';

export interface StyleRunOptions {
  size: number;
  iterations: number;
  alpha?: number;
  beta?: number;
  seed?: number;
  learningRate?: number;
  optimizer?: 'adam' | 'lbfgs';
  init?: 'content' | 'noise' | 'mix';
  preserveColor?: boolean;
}

export interface StyleRunStep {
  iteration: number;
  J: number;
  Jcontent: number;
  Jstyle: number;
}

export interface StyleRunHooks {
  status(message: string): void;
  step(s: StyleRunStep): void;
}

/** Runs the optimisation to the end; returns the final image. */
export async function runStyleTransfer(_engine: NodeEngine, _content: RGBAImage, _style: RGBAImage, _o: StyleRunOptions, _hooks: StyleRunHooks): Promise<RGBAImage> {
  throw new CliError('style transfer is not part of this build yet', EXIT.internal, 'unavailable');
}
