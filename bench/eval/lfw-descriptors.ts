/**
 * The face descriptors `npm run eval:lfw` can evaluate, by name. Each opens a session that turns
 * an LFW photo into the descriptor of its labelled face (the one nearest the image centre, as the
 * protocol says) or null when no face is found, and says how two descriptors are compared. A new
 * descriptor is one more entry in DESCRIPTORS.
 */
import { readFile } from 'node:fs/promises';
import { createEngine, createFaceRecognizer, decodeImage, euclidean, GRAPH_DESCRIPTORS, type DescribedFace, type Engine, type NodeEngine, type NodeFaceRecognizerOptions } from '../../src/node.js';

export interface DescriptorSession {
  /** The labelled face's descriptor, or null when the photo has no face. */
  describe(path: string): Promise<Float32Array | null>;
  /** The GPU adapter and driver, for the results. */
  adapter: string;
  dispose(): void;
}

export interface DescriptorOptions {
  /** 'auto': a photo without a face is tried again with an edge border of half its size (the recognizer's default); 'none': never. */
  border: 'auto' | 'none';
  /** An engine to share (tests); a new one otherwise. */
  engine?: Engine;
}

export interface Descriptor {
  about: string;
  /** The distance thresholds are set on (smaller: more alike). */
  distance(a: Float32Array, b: Float32Array): number;
  distanceName: string;
  open(options: DescriptorOptions): Promise<DescriptorSession>;
}

/** A descriptor through the public API: createFaceRecognizer({ descriptor, alignment }).describe(). */
function recognizerDescriptor(about: string, options: Pick<NodeFaceRecognizerOptions, 'descriptor' | 'alignment'>): Descriptor {
  return {
    about,
    distance: euclidean,
    distanceName: 'euclidean',
    async open({ border, engine }) {
      const gpu = engine ?? (await createEngine());
      const recognizer = await createFaceRecognizer({ engine: gpu, detector: 'ssd', border: border === 'none' ? 0 : 'auto', ...options });
      const info = gpu.adapterInfo;
      const driver = (gpu as Partial<NodeEngine>).driver;
      return {
        adapter: `${[info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unknown adapter'}${driver ? ` via ${driver}` : ''}`,
        async describe(path) {
          const image = decodeImage(new Uint8Array(await readFile(path)), path);
          return nearestCentre(await recognizer.describe(image), image.width, image.height)?.descriptor ?? null;
        },
        dispose() {
          recognizer.dispose();
          if (!engine) gpu.destroy();
        },
      };
    },
  };
}

export const DESCRIPTORS: Record<string, Descriptor> = {
  dlib: recognizerDescriptor("face-api's dlib-style ResNet-34 (128-D), SSD-MobileNetV1 detector, 68 landmarks, face-api's aligned crop", {}),
  'dlib-chip': recognizerDescriptor("face-api's ResNet on dlib's own chip (similarity transform from the landmarks, 150 px, padding 0.25)", { alignment: 'dlib' }),
  ...Object.fromEntries(Object.values(GRAPH_DESCRIPTORS).map((spec) => [spec.name, recognizerDescriptor(spec.about, { descriptor: spec.name })])),
};

export function descriptorNamed(name: string): Descriptor {
  const d = Object.hasOwn(DESCRIPTORS, name) ? DESCRIPTORS[name] : undefined;
  if (!d) throw new Error(`--descriptor: unknown descriptor '${name}'; available: ${Object.keys(DESCRIPTORS).join(', ')}`);
  return d;
}

/** LFW labels the face nearest the image centre (the photos are centred on the named person). */
export function nearestCentre<F extends Pick<DescribedFace, 'box'>>(faces: readonly F[], width: number, height: number): F | null {
  const off = ({ box }: F) => Math.hypot(box.x + box.width / 2 - width / 2, box.y + box.height / 2 - height / 2);
  return faces.length ? faces.reduce((a, b) => (off(b) < off(a) ? b : a)) : null;
}
