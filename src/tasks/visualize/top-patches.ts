/**
 * Top patches (Zeiler and Fergus): run images through the network, find each unit's strongest
 * positions, and cut out the input window each one sees.
 */
import type { Engine } from '../../gpu/engine.js';
import { imageToTensor, type RGBAImage } from '../../ops/image.js';
import { cutPatch, type FloatImage } from './grid.js';
import { checkUnits, layerNode, type VisualNetwork } from './network.js';
import { fieldBox, receptiveField, type ReceptiveField } from './receptive-field.js';
import { TopActivationScan, type TopActivation } from './top-activations.js';

/** Each image's centred square, resized to `size` [H, W]: the network's view of it (RGB 0…255). */
export async function prepareImages(engine: Engine, images: readonly RGBAImage[], size: readonly [number, number]): Promise<FloatImage[]> {
  const out: FloatImage[] = [];
  for (const image of images) {
    const side = Math.min(image.width, image.height);
    const crop = { x: Math.floor((image.width - side) / 2), y: Math.floor((image.height - side) / 2), width: side, height: side };
    const t = imageToTensor(engine, image, { crop, size: [size[0], size[1]] });
    try {
      out.push({ width: size[1], height: size[0], data: await t.read() });
    } finally {
      t.dispose();
    }
  }
  return out;
}

export interface TopPatchesOptions {
  /** Patches per unit (default 9). */
  k?: number;
  /** Positions per image and unit (default 1). */
  maxPerImage?: number;
  /** Images per forward pass (default 4, at most what the network takes). */
  batch?: number;
}

export interface TopPatches {
  layer: string;
  units: number[];
  /** Per unit, its strongest positions over all images, strongest first. */
  top: TopActivation[][];
  /** Per unit, the input patch of each of those positions. */
  patches: FloatImage[][];
  field: ReceptiveField;
}

/** Streams `images` (prepared at the network's input size) through the network up to `layer`. */
export async function topPatches(net: VisualNetwork, images: readonly FloatImage[], layer: string, units: readonly number[], o: TopPatchesOptions = {}): Promise<TopPatches> {
  const node = layerNode(net, layer);
  await checkUnits(net, layer, units);
  const [h, w] = net.inputSize;
  for (const img of images) if (img.width !== w || img.height !== h) throw new Error(`topPatches: images must be ${w}x${h} (prepareImages), got ${img.width}x${img.height}`);
  if (images.length === 0) throw new Error('topPatches: no images');
  const scan = new TopActivationScan(units, o.k ?? 9, o.maxPerImage ?? 1);
  const batch = Math.max(1, Math.min(o.batch ?? 4, net.maxBatch));
  const engine = net.graph.engine;
  for (let i = 0; i < images.length; i += batch) {
    const group = images.slice(i, i + batch);
    const data = new Float32Array(group.length * h * w * 3);
    group.forEach((img, j) => data.set(img.data, j * h * w * 3));
    const x = engine.tensor([group.length, h, w, 3], data);
    try {
      const y = net.graph.forward({ [net.input]: x }, [node]).outputs[node]!;
      try {
        scan.add(await y.read(), y.shape);
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  }
  const field = receptiveField(net.graph, node, net.inputSize);
  const top = scan.result();
  const patches = top.map((list) => list.map((t) => cutPatch(images[t.image]!, fieldBox(field, t.y, t.x))));
  return { layer, units: [...units], top, patches, field };
}
