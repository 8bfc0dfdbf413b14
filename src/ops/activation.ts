import activationWGSL from '../../shaders/common/activation.wgsl';

/** Activations fused into conv, matmul and elementwise kernels (the ACTIVATION/OP overrides). */
export type Activation = 'none' | 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSwish';

/** The leaky-ReLU slope where a caller gives none (TF.js's default; ONNX's 0.01 is passed by its op). */
export const DEFAULT_LEAKY_SLOPE = 0.2;

/** The shared WGSL every kernel with a fused activation is joined with. */
export { activationWGSL };

/** The codes, as the shader declares them: `const ACTIVATION_LEAKY_RELU: u32 = 3u;` is leakyRelu → 3. */
const CODES: ReadonlyMap<string, number> = new Map(
  [...activationWGSL.matchAll(/const ACTIVATION_(\w+): u32 = (\d+)u;/g)].map((m) => [m[1]!.toLowerCase().replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), Number(m[2])]),
);

export function activationCode(a: Activation | undefined): number {
  const code = CODES.get(a ?? 'none');
  if (code === undefined) throw new Error(`unknown activation '${a}' (known: ${[...CODES.keys()].join(', ')})`);
  return code;
}
