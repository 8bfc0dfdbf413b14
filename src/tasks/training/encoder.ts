/**
 * The small CNN encoder used for Fashion-MNIST, the training benchmark and the demo:
 * conv16-pool-conv32-pool-conv64 → global average pool → dense 64 → L2 normalisation.
 * Described as plain layer specs (the shape of src/nn/layers.ts's LayerSpec) so the TF.js
 * reference builds the very same network.
 */

export type EncoderLayer =
  | { type: 'conv2d'; filters: number; kernel: number; strides?: number; padding?: 'same' | 'valid'; activation?: 'none' | 'relu' }
  | { type: 'maxPool' | 'avgPool'; size: number; strides?: number }
  | { type: 'globalAvgPool' } | { type: 'flatten' } | { type: 'batchNorm'; momentum?: number }
  | { type: 'dense'; units: number; activation?: 'none' | 'relu' }
  | { type: 'l2Normalize' };

export interface EncoderOptions {
  /** Filters of the three stages (16, 32, 64 by default). */
  filters?: readonly [number, number, number];
  embeddingDim?: number;
  /** 3x3 convolutions per stage (1 by default). */
  convsPerStage?: number;
  /** Batch norm after each convolution, with this momentum for its moving statistics (none by default). */
  batchNormMomentum?: number;
  /** How the last feature map becomes the embedding's input: averaged over positions ('gap', the default) or kept whole ('flatten', where things are). */
  head?: 'gap' | 'flatten';
}

/** conv(f1)-pool-conv(f2)-pool-conv(f3)-gap-dense(dim)-l2norm; widths scale the filters, stages can be deeper. */
export function smallEncoder(o: EncoderOptions = {}): EncoderLayer[] {
  const [f1, f2, f3] = o.filters ?? [16, 32, 64];
  const convs = o.convsPerStage ?? 1;
  const stage = (filters: number): EncoderLayer[] => Array.from({ length: convs }, (): EncoderLayer[] => [
    { type: 'conv2d', filters, kernel: 3, padding: 'same', activation: 'relu' },
    ...(o.batchNormMomentum === undefined ? [] : [{ type: 'batchNorm' as const, momentum: o.batchNormMomentum }]),
  ]).flat();
  return [
    ...stage(f1),
    { type: 'maxPool', size: 2 },
    ...stage(f2),
    { type: 'maxPool', size: 2 },
    ...stage(f3),
    { type: o.head === 'flatten' ? 'flatten' : 'globalAvgPool' },
    { type: 'dense', units: o.embeddingDim ?? 64 },
    { type: 'l2Normalize' },
  ];
}

/** A short description such as "conv16-pool-conv32-pool-conv64-gap-dense64-l2norm". */
export function describeEncoder(layers: readonly EncoderLayer[]): string {
  return layers.map((l) => {
    switch (l.type) {
      case 'conv2d': return `conv${l.filters}${l.kernel !== 3 ? `k${l.kernel}` : ''}`;
      case 'maxPool': return 'pool';
      case 'avgPool': return 'avgpool';
      case 'globalAvgPool': return 'gap';
      case 'flatten': return 'flatten';
      case 'batchNorm': return 'bn';
      case 'dense': return `dense${l.units}`;
      case 'l2Normalize': return 'l2norm';
    }
  }).join('-');
}
