import gridWGSL from '../../shaders/common/grid.wgsl';
import styleLossWGSL from '../../shaders/style_loss.wgsl';
import { shapeCheck } from '../gpu/errors.js';
import { defineKernel } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { sub } from './elementwise.js';
import { matmul } from './matmul.js';
import { reduceFlat } from './reduction.js';

const kernel = defineKernel('style_loss', styleLossWGSL, [gridWGSL]);

/** [H·W, C] of activations [1, H, W, C] (or [H, W, C]). */
function layerDims(op: string, a: Tensor): { hw: number; c: number } {
  shapeCheck((a.rank === 4 && a.shape[0] === 1) || a.rank === 3, op, `activations must be [1, H, W, C] or [H, W, C], got [${a.shape}]`);
  const c = a.shape[a.rank - 1]!;
  return { hw: a.size / c, c };
}

/** Gram matrix G = Aᵀ·A of activations a [1, H, W, C] viewed as A = (H·W)×C → [C, C] (tiled matmul, A read transposed in place). */
export function gram(a: Tensor): Tensor {
  const { hw, c } = layerDims('gram', a);
  const flat = a.reshape([hw, c]);
  const g = matmul(flat, flat, { transposeA: true, symmetric: true });
  flat.dispose();
  return g;
}

/** Jcontent = 1/(4·nH·nW·nC)·Σ(aC − aG)² and its gradient w.r.t. aG, (aG − aC)/(2·nH·nW·nC). */
export function contentLoss(aG: Tensor, aC: Tensor): { loss: Tensor; grad: Tensor } {
  const op = 'contentLoss';
  shapeCheck(aG.size === aC.size, op, `activations differ in size: [${aG.shape}] and [${aC.shape}]`);
  const n = aG.size;
  const loss = reduceFlat(op, 'squaredDistance', [[aG, aC]], { scale: 1 / (4 * n) });
  const grad = aG.engine.empty(aG.shape, op);
  aG.engine.dispatch({
    op, kernel, entry: 'content_grad',
    uniforms: { size: n, scale: 1 / (2 * n) },
    buffers: { x: aG, goal: aC, grad },
    threads: n,
  });
  return { loss, grad };
}

/**
 * One layer's style cost weight/(4·nC²·(nH·nW)²)·Σ(GS − GG)², GG = gram(aG), and its gradient
 * w.r.t. aG: weight/(nC²·(nH·nW)²)·A·(GG − GS) (A is aG as (H·W)×C; G symmetric, no transposes).
 */
export function styleLoss(aG: Tensor, gramS: Tensor, weight = 1): { loss: Tensor; grad: Tensor } {
  const op = 'styleLoss';
  const { hw, c } = layerDims(op, aG);
  shapeCheck(gramS.size === c * c, op, `the style Gram matrix must be [${c}, ${c}] for [${aG.shape}], got [${gramS.shape}]`);
  const gramG = gram(aG);
  const denom = c * c * hw * hw;
  const loss = reduceFlat(op, 'squaredDistance', [[gramG, gramS]], { scale: weight / (4 * denom) });
  const gramS2 = gramS.reshape([c, c]);
  const diff = sub(gramG, gramS2);
  const flat = aG.reshape([hw, c]);
  const grad2d = matmul(flat, diff, { scale: weight / denom });
  const grad = grad2d.reshape(aG.shape);
  for (const t of [gramG, gramS2, diff, flat, grad2d]) t.dispose();
  return { loss, grad };
}

/**
 * Total variation of an image [N, H, W, C] (or [H, W, C]): weight/(N·H·W·C)·Σ (squared forward
 * differences down and right, within each image), and its gradient.
 */
export function totalVariation(image: Tensor, weight = 1): { loss: Tensor; grad: Tensor } {
  const op = 'totalVariation';
  shapeCheck(image.rank === 3 || image.rank === 4, op, `image must be [N, H, W, C] or [H, W, C], got [${image.shape}]`);
  const [height, width, channels] = image.shape.slice(-3) as [number, number, number];
  const scale = weight / image.size;
  const grad = image.engine.empty(image.shape, op);
  const term = image.engine.empty([image.size], `${op} terms`);
  image.engine.dispatch({
    op, kernel, entry: 'tv_grad',
    uniforms: { size: image.size, height, width, channels, scale },
    buffers: { x: image, grad, term },
    threads: image.size,
  });
  const loss = reduceFlat(op, 'sum', [[term]], { scale });
  term.dispose();
  return { loss, grad };
}
