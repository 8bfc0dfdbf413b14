import activationWGSL from '../../shaders/common/activation.wgsl';
import { shaderConstants } from '../gpu/reflect.js';

/** Activations fused into conv, matmul and elementwise kernels (the ACTIVATION/OP overrides). */
export type Activation = 'none' | 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSwish';

/** The leaky-ReLU slope where a caller gives none (TF.js's default; ONNX's 0.01 is passed by its op). */
export const DEFAULT_LEAKY_SLOPE = 0.2;

/** The codes as the shader declares them (`ACTIVATION_LEAKY_RELU` is leakyRelu). */
const CODES = shaderConstants(activationWGSL, 'ACTIVATION_');

export function activationCode(a: Activation | undefined): number {
  const code = CODES.get(a ?? 'none');
  if (code === undefined) throw new Error(`unknown activation '${a}' (known: ${[...CODES.keys()].join(', ')})`);
  return code;
}
