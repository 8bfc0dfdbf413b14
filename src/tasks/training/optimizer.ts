/** Optimiser specs as plain options, or a ready Optimizer object. */
import { Adam, SGD, type Optimizer } from '../../nn/optimizers.js';

export interface OptimizerSpec {
  kind: 'adam' | 'sgd';
  lr: number;
  /** SGD momentum (0.9 by default for 'sgd'). */
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam: decoupled (AdamW); SGD: L2. */
  weightDecay?: number;
  /** Clip the gradients' global norm to this. */
  clipNorm?: number;
}

export function isOptimizer(o: unknown): o is Optimizer {
  return !!o && typeof (o as Optimizer).step === 'function' && typeof (o as Optimizer).dispose === 'function';
}

export function createOptimizer(spec: OptimizerSpec): Optimizer {
  if (!(spec.lr > 0)) throw new RangeError(`optimizer lr must be > 0, got ${spec.lr}`);
  if (spec.kind === 'adam') return new Adam({ lr: spec.lr, beta1: spec.beta1, beta2: spec.beta2, epsilon: spec.epsilon, weightDecay: spec.weightDecay, clipNorm: spec.clipNorm });
  if (spec.kind === 'sgd') return new SGD({ lr: spec.lr, momentum: spec.momentum ?? 0.9, nesterov: spec.nesterov, weightDecay: spec.weightDecay, clipNorm: spec.clipNorm });
  throw new RangeError(`optimizer kind must be 'adam' or 'sgd', got ${JSON.stringify((spec as { kind: unknown }).kind)}`);
}
