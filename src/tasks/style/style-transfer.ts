/**
 * Neural style transfer (Gatys et al.): the pixels of a generated image G are optimised so that
 * J(G) = α·Jcontent(C, G) + β·Σ_l λ_l·Jstyle_l(S, G) (+ total variation) falls (α the content
 * weight, β the style weight), with the
 * feature network's weights fixed. Each step is one forward pass recorded up to the deepest
 * layer used, the costs and their gradients on the GPU, one backward pass to the pixels, and an
 * optimiser update (Adam, or L-BFGS) followed by clamping to [0, 255].
 */
import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import { add } from '../../ops/elementwise.js';
import { imageToTensor, type RGBAImage } from '../../ops/image.js';
import { resizeBilinear } from '../../ops/resize.js';
import { contentLoss, gram, styleLoss, totalVariation } from '../../ops/style-loss.js';
import { clampInPlace, fillInPlace, scaleInPlace } from '../../ops/vector.js';
import type { FeatureNetwork } from '../../nn/graph/feature-networks.js';
import { Adam, LBFGS, OPTIMIZER_DEFAULTS } from '../../nn/optimizers.js';
import { imageLuminanceStats, luminanceImage, recombineChroma, toRGBA, type FloatRGB } from './color.js';
import { MIX_NOISE_STD, STYLE_ADAM_LR, STYLE_LBFGS } from './defaults.js';
import { styleGramCache, type GramCache } from './gram-cache.js';
import { gaussianNoise, uniformGenerator } from './noise.js';

export interface StyleTransferOptions {
  content: RGBAImage;
  style: RGBAImage;
  network: FeatureNetwork;
  /** Content weight α (1 by default). */
  contentWeight?: number;
  /** Style weight β (10 by default). */
  styleWeight?: number;
  /** @deprecated The content weight: use contentWeight. */
  alpha?: number;
  /** @deprecated The style weight: use styleWeight. */
  beta?: number;
  /** A layer's friendly name (network.layers) or node name; the network's default otherwise. */
  contentLayer?: string;
  /** Style layers (friendly or node names) → weights λ; the network's defaults otherwise. */
  styleLayers?: Record<string, number>;
  /** Longest side of the working (and result) image, px (256 by default). */
  size?: number;
  /** Optimisation steps in all (100 by default). With coarseToFine, half run at half size. */
  iterations?: number;
  optimizer?: 'adam' | 'lbfgs';
  /** Adam: pixels per step (5 by default); L-BFGS: step length (1). */
  learningRate?: number;
  /** 'mix' (default): content + N(0, (0.05·255)²) noise; 'content'; 'noise': uniform random pixels. */
  init?: 'noise' | 'content' | 'mix';
  /** Seed of the initial noise: equal seeds give equal results (1 by default). */
  seed?: number;
  /** Weight of the total-variation term (0 by default). */
  tvWeight?: number;
  /** Transfer on luminance only and keep the content's colours. */
  preserveColor?: boolean;
  /** Optimise at half size first, upsample, then refine at full size. */
  coarseToFine?: boolean;
  /** Yield a preview image every this many steps (0: only the final image; 10 by default). */
  previewEvery?: number;
  /** Work at the content's aspect ratio (default); false: a size×size square. */
  keepAspect?: boolean;
  signal?: AbortSignal;
  /** Where style Gram matrices are cached; the engine's shared cache by default. */
  gramCache?: GramCache;
}

export interface StyleStep {
  iteration: number;
  J: number;
  Jcontent: number;
  Jstyle: number;
  image?: RGBAImage;
  done?: boolean;
}

interface Resolved {
  contentWeight: number;
  styleWeight: number;
  contentNode: string;
  /** Style node → λ. */
  styleNodes: Map<string, number>;
  lr: number;
  optimizer: 'adam' | 'lbfgs';
  init: 'noise' | 'content' | 'mix';
  seed: number;
  tvWeight: number;
  preserveColor: boolean;
}

function resolveLayer(net: FeatureNetwork, name: string): string {
  const node = net.layers[name] ?? name;
  if (!net.graph.node(node)) {
    throw new Error(`styleTransfer: the feature network has no layer '${name}' (known: ${Object.keys(net.layers).join(', ')})`);
  }
  return node;
}

function resolveOptions(o: StyleTransferOptions): Resolved {
  const net = o.network;
  const styleNodes = new Map<string, number>();
  for (const [name, weight] of Object.entries(o.styleLayers ?? net.defaultStyle)) {
    const node = resolveLayer(net, name);
    styleNodes.set(node, (styleNodes.get(node) ?? 0) + weight);
  }
  const optimizer = o.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'lbfgs') throw new Error(`styleTransfer: unknown optimizer '${optimizer as string}' (adam, lbfgs)`);
  const init = o.init ?? 'mix';
  if (!['noise', 'content', 'mix'].includes(init)) throw new Error(`styleTransfer: unknown init '${init}' (noise, content, mix)`);
  return {
    contentWeight: o.contentWeight ?? o.alpha ?? 1,
    styleWeight: o.styleWeight ?? o.beta ?? 10,
    contentNode: resolveLayer(net, o.contentLayer ?? net.defaultContent),
    styleNodes,
    lr: o.learningRate ?? (optimizer === 'adam' ? STYLE_ADAM_LR : OPTIMIZER_DEFAULTS.lbfgs.lr),
    optimizer,
    init,
    seed: o.seed ?? 1,
    tvWeight: o.tvWeight ?? 0,
    preserveColor: o.preserveColor ?? false,
  };
}

/** [height, width] with the longest side `size` (aspect kept) or a size×size square. */
export function workingSize(image: { width: number; height: number }, size: number, keepAspect = true): [number, number] {
  if (!(Number.isInteger(size) && size >= 8)) throw new Error(`styleTransfer: size must be an integer >= 8, got ${size}`);
  if (!keepAspect) return [size, size];
  const s = size / Math.max(image.width, image.height);
  return [Math.max(1, Math.round(image.height * s)), Math.max(1, Math.round(image.width * s))];
}

const graphIds = new WeakMap<object, number>();
let nextGraphId = 1;
const graphId = (g: object): number => {
  let id = graphIds.get(g);
  if (id === undefined) graphIds.set(g, (id = nextGraphId++));
  return id;
};

const abortError = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('style transfer was aborted', 'AbortError');

/** One optimisation problem at one working size: targets, the generated image and optimiser state on the GPU. */
export class StyleStage {
  private adam: Adam | null = null;
  private lbfgs: LBFGS | null = null;
  private disposed = false;

  private constructor(
    readonly engine: Engine,
    private readonly net: FeatureNetwork,
    private readonly r: Resolved,
    readonly height: number,
    readonly width: number,
    /** The generated image [1, H, W, 3]. */
    readonly G: Tensor,
    private readonly contentTarget: Tensor | null,
    private readonly grams: Map<string, Tensor>,
    /** The content at this size (for colour recombination). */
    private readonly contentPixels: FloatRGB | null,
  ) {}

  /**
   * Sets up targets at [height, width]; G starts from `start` (resized) or from the init rule.
   * Images given here are the network's inputs (luminance images with preserveColor).
   */
  static async create(engine: Engine, net: FeatureNetwork, r: Resolved, images: { content: RGBAImage; style: RGBAImage; originalContent: RGBAImage }, size: [number, number], styleSize: [number, number], cache: GramCache, start?: Tensor): Promise<StyleStage> {
    const [h, w] = size;
    const styleList = [...r.styleNodes.keys()];
    const input = net.input;
    const { contentT, contentTarget } = engine.tidy(() => {
      const c = imageToTensor(engine, images.content, { size: [h, w] });
      const target = r.contentWeight !== 0 ? net.graph.forward({ [input]: c }, [r.contentNode]).outputs[r.contentNode]! : null;
      return { contentT: engine.keep(c), contentTarget: target ? engine.keep(target) : null };
    });
    const key = `${graphId(net.graph)}|${styleSize.join('x')}|${styleList.join(',')}`;
    const gramList = cache.get(images.style, key, () => engine.tidy(() => {
      const s = imageToTensor(engine, images.style, { size: styleSize });
      const acts = net.graph.forward({ [input]: s }, styleList).outputs;
      return styleList.map((n) => gram(acts[n]!));
    }));
    const grams = new Map(styleList.map((n, i) => [n, gramList[i]!]));
    let G: Tensor;
    let contentPixels: FloatRGB | null = null;
    const pixels = !start && r.init === 'mix' ? await contentT.read() : null;
    if (r.preserveColor) {
      const orig = engine.tidy(() => imageToTensor(engine, images.originalContent, { size: [h, w] }));
      contentPixels = { data: await orig.read(), width: w, height: h };
      orig.dispose();
    }
    if (start) {
      G = engine.keep(engine.tidy(() => resizeBilinear(start, [h, w])));
      contentT.dispose();
    } else if (r.init === 'content') {
      G = contentT;
    } else {
      const n = h * w * 3;
      const data = new Float32Array(n);
      if (r.init === 'mix') {
        const noise = gaussianNoise(n, r.seed, MIX_NOISE_STD);
        for (let i = 0; i < n; i++) data[i] = Math.min(255, Math.max(0, pixels![i]! + noise[i]!));
      } else {
        const next = uniformGenerator(r.seed);
        for (let i = 0; i < n; i++) data[i] = next() * 255;
      }
      G = engine.keep(engine.tensor([1, h, w, 3], data, 'styleTransfer image'));
      contentT.dispose();
    }
    return new StyleStage(engine, net, r, h, w, G, contentTarget, grams, contentPixels);
  }

  /**
   * The objective at x (a tensor shaped like G): the loss parts as [1] tensors (Jcontent not
   * weighted; Jstyle times the style weight) and dJ/dx. Synchronous: call inside engine.tidy.
   */
  private objective(x: Tensor): { grad: Tensor; parts: { content: Tensor | null; style: Tensor | null; tv: Tensor | null } } {
    const { r, net } = this;
    // The style cost is computed weighted (one scale in its kernels); with weight 0 it is still
    // reported, unweighted, but adds nothing to the gradient.
    const styleScale = r.styleWeight !== 0 ? r.styleWeight : 1;
    const outs = [...new Set([...(this.contentTarget ? [r.contentNode] : []), ...r.styleNodes.keys()])];
    const { outputs, tape } = net.graph.forward({ [net.input]: x }, outs, { record: true, wrt: [net.input] });
    // dJ/d(activation) per layer, summed where the content and a style layer coincide.
    const layerGrads: Record<string, Tensor> = {};
    const addLayerGrad = (node: string, g: Tensor) => {
      layerGrads[node] = layerGrads[node] ? add(layerGrads[node]!, g) : g;
    };
    let content: Tensor | null = null;
    if (this.contentTarget) {
      const c = contentLoss(outputs[r.contentNode]!, this.contentTarget);
      if (r.contentWeight !== 1) scaleInPlace(c.grad, r.contentWeight);
      content = c.loss;
      addLayerGrad(r.contentNode, c.grad);
    }
    let style: Tensor | null = null;
    for (const [node, lambda] of r.styleNodes) {
      const s = styleLoss(outputs[node]!, this.grams.get(node)!, styleScale * lambda);
      style = style ? add(style, s.loss) : s.loss;
      if (r.styleWeight !== 0) addLayerGrad(node, s.grad);
    }
    let grad: Tensor;
    if (Object.keys(layerGrads).length) {
      grad = net.graph.backward(tape!, layerGrads, [net.input])[net.input]!;
    } else {
      tape!.dispose();
      grad = x.engine.empty(x.shape, 'styleTransfer zero gradient');
      fillInPlace(grad, 0);
    }
    let tv: Tensor | null = null;
    if (r.tvWeight > 0) {
      const t = totalVariation(x, r.tvWeight);
      grad = add(grad, t.grad);
      tv = t.loss;
    }
    return { grad, parts: { content, style, tv } };
  }

  private async readParts(parts: { content: Tensor | null; style: Tensor | null; tv: Tensor | null }): Promise<{ J: number; Jcontent: number; Jstyle: number }> {
    const list = [parts.content, parts.style, parts.tv];
    const [c = 0, s = 0, t = 0] = await Promise.all(list.map(async (p) => (p ? (await p.read())[0]! : 0)));
    list.forEach((p) => p?.dispose());
    const { contentWeight, styleWeight } = this.r;
    const Jstyle = styleWeight !== 0 ? s / styleWeight : s;
    return { J: contentWeight * c + styleWeight * Jstyle + t, Jcontent: c, Jstyle };
  }

  /** One optimisation step; the costs are those of the image before the step. */
  async step(): Promise<{ J: number; Jcontent: number; Jstyle: number }> {
    if (this.disposed) throw new Error('StyleStage: used after dispose()');
    const { engine, G } = this;
    if (this.r.optimizer === 'adam') {
      const adam = (this.adam ??= new Adam({ lr: this.r.lr }));
      const parts = engine.tidy(() => {
        const { grad, parts } = this.objective(G);
        adam.step([G], [grad]);
        clampInPlace(G, 0, 255);
        return parts;
      });
      return this.readParts(parts);
    }
    this.lbfgs ??= new LBFGS({ lr: this.r.lr, ...STYLE_LBFGS });
    const flat = G.reshape([G.size]);
    let first: { J: number; Jcontent: number; Jstyle: number } | null = null;
    try {
      await this.lbfgs.step(flat, async (x) => {
        const { grad, parts } = engine.tidy(() => {
          const r = this.objective(x.reshape(G.shape));
          return { grad: r.grad.reshape([G.size]), parts: r.parts };
        });
        const costs = await this.readParts(parts);
        first ??= costs;
        return { loss: costs.J, grad };
      });
    } finally {
      flat.dispose();
    }
    clampInPlace(G, 0, 255);
    return first!;
  }

  /** The costs and dJ/dG at the current image, without a step (for checks). */
  async evaluate(): Promise<{ J: number; Jcontent: number; Jstyle: number; grad: Float32Array }> {
    const { grad, parts } = this.engine.tidy(() => this.objective(this.G));
    const costs = await this.readParts(parts);
    const g = await grad.read();
    grad.dispose();
    return { ...costs, grad: g };
  }

  /** The current image as RGBA (the content's colours restored with preserveColor). */
  async image(): Promise<RGBAImage> {
    const data = await this.G.read();
    const img: FloatRGB = { data, width: this.width, height: this.height };
    return toRGBA(this.contentPixels ? recombineChroma(img, this.contentPixels) : img);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.G, this.contentTarget]) t?.dispose();
    this.adam?.dispose();
    this.lbfgs?.dispose();
  }
}

/** The images the network sees: luminance only (style matched to the content's luminance statistics) with preserveColor. */
function networkImages(o: StyleTransferOptions, preserveColor: boolean): { content: RGBAImage; style: RGBAImage; originalContent: RGBAImage } {
  if (!preserveColor) return { content: o.content, style: o.style, originalContent: o.content };
  const content = luminanceImage(o.content);
  return { content, style: luminanceImage(o.style, imageLuminanceStats(o.content)), originalContent: o.content };
}

/** Per-(style image, content) luminance copies, so the Gram cache sees one object per pair. */
const luminanceStyles = new WeakMap<RGBAImage, WeakMap<RGBAImage, RGBAImage>>();
function cachedNetworkImages(o: StyleTransferOptions, preserveColor: boolean): { content: RGBAImage; style: RGBAImage; originalContent: RGBAImage } {
  const imgs = networkImages(o, preserveColor);
  if (!preserveColor) return imgs;
  let byContent = luminanceStyles.get(o.style);
  if (!byContent) luminanceStyles.set(o.style, (byContent = new WeakMap()));
  const known = byContent.get(o.content);
  if (known) imgs.style = known;
  else byContent.set(o.content, imgs.style);
  return imgs;
}

/**
 * Runs style transfer; yields { iteration, J, Jcontent, Jstyle } after every step, with a preview
 * image every `previewEvery` steps, and last the final image with done: true. Aborting the
 * signal stops it between steps (the iterator throws the abort reason) and frees its GPU memory.
 */
export async function* styleTransfer(engine: Engine, o: StyleTransferOptions): AsyncIterableIterator<StyleStep> {
  const r = resolveOptions(o);
  const size = o.size ?? 256;
  const iterations = o.iterations ?? 100;
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new Error(`styleTransfer: iterations must be an integer >= 1, got ${iterations}`);
  const previewEvery = o.previewEvery ?? 10;
  const keepAspect = o.keepAspect ?? true;
  const cache = o.gramCache ?? styleGramCache(engine);
  const images = cachedNetworkImages(o, r.preserveColor);
  const full = workingSize(o.content, size, keepAspect);
  const styleFull = workingSize(o.style, size, keepAspect);
  const coarse = o.coarseToFine && iterations >= 2 && Math.min(...full) >= 16;
  const stages: { size: [number, number]; styleSize: [number, number]; iterations: number }[] = coarse
    ? [
      { size: [Math.round(full[0] / 2), Math.round(full[1] / 2)], styleSize: [Math.round(styleFull[0] / 2), Math.round(styleFull[1] / 2)], iterations: Math.ceil(iterations / 2) },
      { size: full, styleSize: styleFull, iterations: iterations - Math.ceil(iterations / 2) },
    ]
    : [{ size: full, styleSize: styleFull, iterations }];

  const signal = o.signal;
  let stage: StyleStage | null = null;
  let iteration = 0;
  try {
    for (const [si, s] of stages.entries()) {
      if (signal?.aborted) throw abortError(signal);
      const previous: StyleStage | null = stage;
      stage = await StyleStage.create(engine, o.network, r, images, s.size, s.styleSize, cache, previous?.G);
      previous?.dispose();
      const last = si === stages.length - 1;
      for (let i = 0; i < s.iterations; i++) {
        if (signal?.aborted) throw abortError(signal);
        const costs = await stage.step();
        iteration++;
        const done = last && i === s.iterations - 1;
        const preview = !done && previewEvery > 0 && iteration % previewEvery === 0;
        const step: StyleStep = { iteration, ...costs };
        if (done || preview) step.image = await stage.image();
        if (done) step.done = true;
        yield step;
      }
    }
  } finally {
    stage?.dispose();
  }
}

export interface StyleStepperOptions extends Omit<StyleTransferOptions, 'iterations' | 'coarseToFine' | 'previewEvery' | 'signal'> {}

/** One optimisation step at a time at options.size (for benchmarks): step() resolves with J before the step. */
export async function createStyleStepper(engine: Engine, o: StyleStepperOptions): Promise<{ step(): Promise<number>; image(): Promise<RGBAImage>; stage: StyleStage; dispose(): void }> {
  const r = resolveOptions(o);
  const size = o.size ?? 256;
  const keepAspect = o.keepAspect ?? true;
  const images = cachedNetworkImages(o, r.preserveColor);
  const stage = await StyleStage.create(engine, o.network, r, images, workingSize(o.content, size, keepAspect), workingSize(o.style, size, keepAspect), o.gramCache ?? styleGramCache(engine));
  return {
    stage,
    async step() {
      return (await stage.step()).J;
    },
    image: () => stage.image(),
    dispose: () => stage.dispose(),
  };
}
