/** Activations fused into conv, matmul and elementwise kernels (the ACTIVATION/OP overrides). */
export type Activation = 'none' | 'relu' | 'relu6' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'hardSwish';

const CODES: Record<Activation, number> = { none: 0, relu: 1, relu6: 2, leakyRelu: 3, sigmoid: 4, tanh: 5, hardSwish: 6 };

export function activationCode(a: Activation | undefined): number {
  const code = CODES[a ?? 'none'];
  if (code === undefined) throw new Error(`unknown activation '${a}' (known: ${Object.keys(CODES).join(', ')})`);
  return code;
}
