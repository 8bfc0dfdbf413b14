import type { Engine } from '../../gpu/engine.js';
import type { Tensor } from '../../gpu/tensor.js';
import { concat } from '../../ops/concat.js';
import { checkImage, warpAffine, type RGBAImage } from '../../ops/image.js';
import { inBatches } from '../../nn/batches.js';
import { withDefaults, type Box, type DetectOptions, type Point } from '../../nn/boxes.js';
import { FACE_API_MODELS, type FaceApiModel } from '../../nn/face-api-models.js';
import { FaceLandmark68Net, landmarkCrop, paddedFaceInput } from '../../nn/face-landmark-68.js';
import { FACE_RECOGNITION_INPUT_SIZE, FaceRecognitionNet } from '../../nn/face-recognition-net.js';
import { SsdMobilenetV1 } from '../../nn/ssd-mobilenet-v1.js';
import { TinyFaceDetector } from '../../nn/tiny-face-detector.js';
import type { WeightMap } from '../../nn/weights.js';
import { alignmentTransform } from './alignment.js';
import { fitLogistic, type LabelledPair } from './calibration.js';
import { GRAPH_DESCRIPTORS, GraphDescriptorNet, DESCRIPTOR_NAMES, type DescriptorName, type GraphModelSource } from './descriptor-models.js';
import { PassiveLivenessNets } from './passive-liveness.js';
import { extractFaces, type FaceRegion } from './extract.js';
import { FaceGallery, GalleryError, type GalleryIdentity, type GalleryIndex, type GalleryStorage, type Identification } from './gallery.js';
import { GpuGalleryIndex } from './gpu-gallery-index.js';
import { bordered, boxFromPiece, boxToPiece, cropAround, downscaled, faceFromPiece, pointFromPiece, takesWhole, whole, type Piece } from './image-pieces.js';
import type { DescribedFace, DetectedFace, FacePair, FaceQueryOptions, FaceRecognizerLike, ModelProgress, VerifyResult } from './types.js';

/** face-landmark-68's input side, which landmark crops of large photos are brought down to. */
const LANDMARK_INPUT_SIZE = 112;
/**
 * The borders `border: 'auto'` retries with, in order, while no face is found: half the photo's
 * size finds all but 13 of LFW View 1's 4,992 faces, a whole one 11 of those 13 (measured).
 */
const AUTO_BORDERS = [0.5, 1];

/** Loads one of face-api's models (from files in Node, by URL in browsers). */
export type ModelLoader = (model: FaceApiModel) => Promise<WeightMap>;

/** Where a human-models graph model comes from, by its file name (mobilefacenet.json, antispoof.json, …). */
export type GraphModelLoader = (file: string) => GraphModelSource;

/**
 * Faces per batch through a graph descriptor: the largest activation of the shipped ones is
 * faceres' first pointwise convolution (112x112x64 floats a chip), so 16 chips need 51 MB,
 * inside WebGPU's default 128 MiB binding limit.
 */
const GRAPH_CHIPS_PER_BATCH = 16;

/** face-api's ResNet on dlib's own chip: 150 px, padding 0.25 (get_face_chip_details). */
const DLIB_CHIP = { template: 'dlib', size: FACE_RECOGNITION_INPUT_SIZE, padding: 0.25 } as const;

export interface FaceRecognizerOptions extends FaceQueryOptions {
  /**
   * The descriptor network: 'dlib' (face-api's 128-D ResNet, the default) or one of
   * human-models' 'mobilefacenet', 'mobileface', 'faceres' (see the README's LFW table). Each
   * has its own default threshold; a gallery holds the descriptors of one network only.
   */
  descriptor?: DescriptorName;
  /**
   * 'dlib' descriptor only: 'face-api' (the default: face-api's square crop, its numbers exactly)
   * or 'dlib' (dlib's similarity-aligned 150 px chip from the landmarks).
   */
  alignment?: 'face-api' | 'dlib';
  /** Passive liveness hints (antispoof, liveness scores) on every described face. */
  passive?: boolean;
  /** Loads human-models' graph models (the other descriptors, passive liveness); the host provides it. */
  graphModels?: GraphModelLoader;
  /** 'ssd' (SSD-MobileNetV1, the default: finds more faces) or 'tiny' (tiny face detector, faster). */
  detector?: 'ssd' | 'tiny';
  detectOptions?: DetectOptions;
  /**
   * An edge border (repeated edge pixels) added around each photo before detection, as a
   * fraction of its size on each side: faces that fill the frame (passport photos, tight
   * crops, ORL) are missed by detectors trained on ordinary photos until given that context.
   * 'auto' (default): the photo as it is, then with a border of 0.5, then of 1, until a face is
   * found; a number: always that border (0: never one). Boxes and landmarks stay in the photo's pixels.
   */
  border?: 'auto' | number;
  /** Euclidean distance at or below which two faces are the same person (0.6 for this model). */
  threshold?: number;
  /** Where the GPU gallery persists (a folder in Node, IndexedDB in browsers); in memory if absent. */
  store?: GalleryStorage;
  /**
   * Another gallery index instead of the GPU one (PostgreSQL + pgvector, PGlite), or a function
   * making one for this recognizer's descriptor network and size; `store` is then unused.
   */
  galleryIndex?: GalleryIndex | ((identity: GalleryIdentity) => GalleryIndex | Promise<GalleryIndex>);
  onProgress?: (p: ModelProgress) => void;
}

/** A maxFaces option, checked: a positive integer, or absent for every face. */
function checkMaxFaces(maxFaces: number | undefined): number | undefined {
  if (maxFaces !== undefined && !(Number.isInteger(maxFaces) && maxFaces > 0)) throw new RangeError(`maxFaces must be a positive integer, got ${maxFaces}`);
  return maxFaces;
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

const mean = (pts: readonly Point[]): Point => ({
  x: pts.reduce((a, p) => a + p.x, 0) / pts.length,
  y: pts.reduce((a, p) => a + p.y, 0) / pts.length,
});

/**
 * face-api's dlib-style alignment box: a square of side ⌊(mean eye-to-mouth distance) / 0.45⌋
 * placed around the centre of the eyes and mouth. `crop` is the face crop the landmarks were
 * found in; its size bounds the box as face-api's does.
 */
export function alignedFaceBox(landmarks: readonly Point[], crop: { width: number; height: number }): Box {
  const leftEye = mean(landmarks.slice(36, 42));
  const rightEye = mean(landmarks.slice(42, 48));
  const mouth = mean(landmarks.slice(48, 68));
  const toMouth = (p: Point) => Math.hypot(mouth.x - p.x, mouth.y - p.y);
  const size = Math.floor((toMouth(leftEye) + toMouth(rightEye)) / 2 / 0.45);
  const ref = mean([leftEye, rightEye, mouth]);
  const x = Math.floor(Math.max(0, ref.x - 0.5 * size));
  const y = Math.floor(Math.max(0, ref.y - 0.43 * size));
  return { x, y, width: Math.min(size, crop.width + x), height: Math.min(size, crop.height + y) };
}

/**
 * The face pipeline on the engine's kernels: detect every face, find its 68 landmarks, align,
 * and encode it with the 128-D ResNet f(x); compare d = ‖f(x1) − f(x2)‖ against τ; search a
 * gallery of K people.
 */
export class FaceRecognizer<Image = RGBAImage> implements FaceRecognizerLike<Image> {
  threshold: number;
  readonly gallery: FaceGallery;
  private logistic: { slope: number; intercept: number } | null = null;
  /** Calls run one after another: the networks' GPU scopes must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  /** The descriptor network's name, as galleries record it. */
  readonly descriptor: string;

  private constructor(
    readonly engine: Engine,
    private readonly detector: SsdMobilenetV1 | TinyFaceDetector,
    private readonly landmarkNet: FaceLandmark68Net,
    /** face-api's ResNet, or the graph model of another descriptor. */
    private readonly recognitionNet: FaceRecognitionNet | GraphDescriptorNet,
    private readonly passiveNets: PassiveLivenessNets | null,
    private readonly options: FaceRecognizerOptions,
    private readonly read: (image: Image) => Promise<RGBAImage>,
    index: GalleryIndex,
  ) {
    const graph = recognitionNet instanceof GraphDescriptorNet ? recognitionNet.spec : null;
    this.threshold = options.threshold ?? graph?.threshold ?? 0.6;
    this.descriptor = index.descriptor;
    this.gallery = new FaceGallery(index, engine);
  }

  /** `read` turns the host's image inputs into RGBA pixels (see src/host). */
  static async create<Image>(engine: Engine, load: ModelLoader, read: (image: Image) => Promise<RGBAImage>, options: FaceRecognizerOptions = {}): Promise<FaceRecognizer<Image>> {
    checkMaxFaces(options.maxFaces);
    const name = options.descriptor ?? 'dlib';
    if (!(DESCRIPTOR_NAMES as readonly string[]).includes(name)) throw new RangeError(`unknown descriptor '${name}' (known: ${DESCRIPTOR_NAMES.join(', ')})`);
    if (options.alignment !== undefined && options.alignment !== 'face-api' && options.alignment !== 'dlib') throw new RangeError(`alignment must be 'face-api' or 'dlib', got '${options.alignment}'`);
    if (options.alignment === 'dlib' && name !== 'dlib') throw new RangeError(`alignment: 'dlib' is for the dlib descriptor; '${name}' has its own alignment`);
    const needsGraphs = name !== 'dlib' || options.passive;
    if (needsGraphs && !options.graphModels) throw new Error(`descriptor '${name}'${options.passive ? ' and passive liveness need' : ' needs'} human-models' graph models: give graphModels (the Node and browser hosts do)`);
    // The gallery first: a wrong index or database is reported before any model loads.
    const graph = name === 'dlib' ? null : GRAPH_DESCRIPTORS[name];
    const identity = { dims: graph?.dims ?? 128, descriptor: graph ? graph.name : options.alignment === 'dlib' ? 'dlib/dlib-chip' : 'dlib' };
    const given = options.galleryIndex;
    const index = typeof given === 'function' ? await given(identity) : (given ?? new GpuGalleryIndex(engine, identity, options.store));
    if (index.dims !== identity.dims || index.descriptor !== identity.descriptor) {
      throw new GalleryError(`the gallery index holds ${index.dims}-value '${index.descriptor}' descriptors; this recognizer computes ${identity.dims}-value '${identity.descriptor}' ones`);
    }
    try {
      await index.open();
      const detectorModel: FaceApiModel = options.detector === 'tiny' ? 'tinyFaceDetector' : 'ssdMobilenetV1';
      const models: FaceApiModel[] = [detectorModel, 'faceLandmark68', ...(name === 'dlib' ? ['faceRecognition' as const] : [])];
      let loaded = 0;
      const maps = await Promise.all(models.map(async (m) => {
        const map = await load(m);
        options.onProgress?.({ model: FACE_API_MODELS[m].manifest, loaded: ++loaded, total: models.length });
        return map;
      }));
      const described = name === 'dlib' ? new FaceRecognitionNet(engine, maps[2]!) : await GraphDescriptorNet.load(engine, GRAPH_DESCRIPTORS[name], options.graphModels!(GRAPH_DESCRIPTORS[name].file));
      const passive = options.passive ? await PassiveLivenessNets.load(engine, options.graphModels!) : null;
      const detector = options.detector === 'tiny' ? new TinyFaceDetector(engine, maps[0]!) : new SsdMobilenetV1(engine, maps[0]!);
      const recognizer = new FaceRecognizer<Image>(engine, detector, new FaceLandmark68Net(engine, maps[1]!), described, passive, options, read, index);
      return recognizer;
    } catch (e) {
      await index.close().catch(() => undefined); // the first error is the one to report
      throw e;
    }
  }

  get adapter(): string {
    const i = this.engine.adapterInfo;
    return [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  }

  /**
   * Every face in the image, highest score first: box, 68 landmarks, aligned box and 128-D
   * descriptor. With `maxFaces`, only the kept faces get landmarks and descriptors.
   */
  async describe(input: Image, options: FaceQueryOptions = {}): Promise<DescribedFace[]> {
    const maxFaces = checkMaxFaces(options.maxFaces ?? this.options.maxFaces);
    const pixels = await this.read(input);
    return this.exclusive(() => this.describePixels(pixels, maxFaces));
  }

  /** Every face's box and score, highest score first: describe() without landmarks and descriptors. */
  async detect(input: Image, options: FaceQueryOptions = {}): Promise<DetectedFace[]> {
    const maxFaces = checkMaxFaces(options.maxFaces ?? this.options.maxFaces);
    const pixels = await this.read(input);
    return this.exclusive(() => this.inViews(pixels, (view) => this.detectView(view, maxFaces), (piece, f) => ({ ...f, box: boxFromPiece(piece, f.box) })));
  }

  /**
   * Aligned face crops in the photo's own pixels (see extractFaces): of the given faces (from
   * describe() or detect() on this image), or of every face describe() finds.
   */
  async extractFaces(input: Image, faces?: readonly FaceRegion[]): Promise<RGBAImage[]> {
    const pixels = await this.read(input);
    return extractFaces(pixels, faces ?? (await this.exclusive(() => this.describePixels(pixels, this.options.maxFaces))));
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private describePixels(image: RGBAImage, maxFaces: number | undefined): Promise<DescribedFace[]> {
    return this.inViews(image, (view) => this.describeView(view, maxFaces), faceFromPiece);
  }

  /**
   * `find` on the photo as it is, then bordered as `options.border` says, until faces are
   * found; `back` maps a face found in a bordered view to the photo's pixels.
   */
  private async inViews<F extends DetectedFace>(image: RGBAImage, find: (view: RGBAImage) => Promise<F[]>, back: (piece: Piece, face: F) => F): Promise<F[]> {
    checkImage(image);
    const border = this.options.border ?? 'auto';
    const borders = border === 'auto' ? [0, ...AUTO_BORDERS] : [border];
    let faces: F[] = [];
    for (const fraction of borders) {
      if (fraction === 0) faces = await find(image);
      else {
        const view = bordered(image, fraction);
        faces = (await find(view.image)).map((f) => ({ ...back(view, f), border: fraction }));
      }
      if (faces.length > 0) break;
    }
    return faces;
  }

  /**
   * The `maxFaces` highest-scoring faces in one view, boxes in its pixels. Photos that the
   * device cannot take whole, or far larger than the networks' inputs, are detected on a copy
   * downscaled to the detector's input size (image-pieces.ts); a photo that goes whole gives
   * exactly face-api's numbers.
   */
  private async detectView(image: RGBAImage, maxFaces: number | undefined): Promise<DetectedFace[]> {
    const view = takesWhole(this.engine, image) ? whole(image) : downscaled(image, this.detectionSize());
    const detections = await this.detector.detect(view.image, this.options.detectOptions);
    return detections.map((d) => ({ box: boxFromPiece(view, d), score: d.score })).sort((a, b) => b.score - a.score).slice(0, maxFaces);
  }

  /**
   * detectView's faces with landmarks and descriptor, from crops of the full-resolution pixels
   * for photos in pieces. The faces go through each network together: one batch through the
   * landmark net, then their chips as one batch through the descriptor net.
   */
  private async describeView(image: RGBAImage, maxFaces: number | undefined): Promise<DescribedFace[]> {
    const inPieces = !takesWhole(this.engine, image);
    const around = (box: Box, side: number): Piece => (inPieces ? cropAround(image, box, side) : whole(image));
    const detections = await this.detectView(image, maxFaces);
    const marks = detections.map(({ box }) => around(box, LANDMARK_INPUT_SIZE));
    const found = await this.landmarkNet.detect(detections.map(({ box }, i) => ({ image: marks[i]!.image, box: boxToPiece(marks[i]!, box) })));
    const landmarks = found.map((points, i) => points.map((p) => pointFromPiece(marks[i]!, p)));
    const alignedBoxes = detections.map(({ box }, i) => alignedFaceBox(landmarks[i]!, landmarkCrop(box, image.width, image.height).face));
    const descriptors: Float32Array[] = [];
    if (this.recognitionNet instanceof FaceRecognitionNet && this.options.alignment !== 'dlib') {
      for (const batch of inBatches(alignedBoxes, this.recognitionNet.maxBatch)) {
        descriptors.push(...(await this.engine.scope(() => this.describeChips(this.engine.tidy(() => this.faceChips(image, batch, around))))));
      }
    } else {
      descriptors.push(...(await this.describeWarped(image, landmarks, alignedBoxes, inPieces)));
    }
    const passive = this.passiveNets ? await this.passiveNets.score(image, alignedBoxes) : null;
    return detections.map(({ box, score }, i) => ({ box, score, landmarks: landmarks[i]!, alignedBox: alignedBoxes[i]!, descriptor: descriptors[i]!, ...(passive ? { passive: passive[i]! } : {}) }));
  }

  /**
   * Descriptors from chips warped by each face's similarity transform (dlib's chip, or a graph
   * descriptor's template): all faces of a photo the device takes whole in one batch; in pieces,
   * each face from a crop of the full-resolution pixels around it, its landmarks moved there.
   */
  private async describeWarped(image: RGBAImage, landmarks: readonly Point[][], alignedBoxes: readonly Box[], inPieces: boolean): Promise<Float32Array[]> {
    const net = this.recognitionNet;
    const chip = net instanceof GraphDescriptorNet ? net.spec.chip : DLIB_CHIP;
    const describe = async (source: RGBAImage, faces: readonly (readonly Point[])[]): Promise<Float32Array[]> => {
      if (net instanceof GraphDescriptorNet) return net.describe(source, faces);
      const chips = warpAffine(this.engine, source, faces.map((l) => alignmentTransform(l, chip)), chip.size);
      try {
        return await net.describe(chips);
      } finally {
        chips.dispose();
      }
    };
    if (!inPieces) {
      const out: Float32Array[] = [];
      const perBatch = net instanceof GraphDescriptorNet ? GRAPH_CHIPS_PER_BATCH : net.maxBatch;
      for (const batch of inBatches(landmarks, perBatch)) out.push(...(await describe(image, batch)));
      return out;
    }
    const out: Float32Array[] = [];
    for (const [i, box] of alignedBoxes.entries()) {
      // Twice the aligned box holds any chip's margin; the piece keeps at most 4x the chip's pixels.
      const around = { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width * 2, height: box.height * 2 };
      const piece = cropAround(image, around, chip.size * 4);
      const local = landmarks[i]!.map((p) => ({ x: (p.x - piece.x) / piece.scaleX, y: (p.y - piece.y) / piece.scaleY }));
      out.push(...(await describe(piece.image, [local])));
    }
    return out;
  }

  /**
   * face-api's 150x150 chips [N, 150, 150, 3] (0…255 RGB) of aligned face boxes: each box
   * padded to a square and resized, from the photo or, in pieces, a crop of it around the box.
   */
  private faceChips(image: RGBAImage, alignedBoxes: readonly Box[], around: (box: Box, side: number) => Piece): Tensor {
    const chips = alignedBoxes.map((box) => {
      const source = around(landmarkCrop(box, image.width, image.height).face, FACE_RECOGNITION_INPUT_SIZE);
      return paddedFaceInput(this.engine, source.image, boxToPiece(source, box), FACE_RECOGNITION_INPUT_SIZE);
    });
    return chips.length === 1 ? chips[0]! : concat(chips);
  }

  /** One descriptor per chip of `chips`, in order: one forward pass of the descriptor network and one read-back. */
  private describeChips(chips: Tensor): Promise<Float32Array[]> {
    return (this.recognitionNet as FaceRecognitionNet).describe(chips);
  }

  /** The detector's fixed input side. */
  private detectionSize(): number {
    const defaults = this.detector instanceof SsdMobilenetV1 ? SsdMobilenetV1.defaults : TinyFaceDetector.defaults;
    return withDefaults(defaults, this.options.detectOptions ?? {}).inputSize;
  }

  /**
   * 1:1 verification of two photos. With several faces on either side every pair is compared
   * (many-to-many); `match` and `distance` are those of the closest pair.
   */
  async verify(a: Image, b: Image, threshold = this.threshold): Promise<VerifyResult> {
    const [facesA, facesB] = [await this.describe(a), await this.describe(b)];
    const pairs: FacePair[] = [];
    facesA.forEach((fa, i) => facesB.forEach((fb, j) => {
      const distance = euclidean(fa.descriptor, fb.descriptor);
      pairs.push({ a: i, b: j, distance, match: distance <= threshold });
    }));
    pairs.sort((x, y) => x.distance - y.distance);
    const distance = pairs[0]?.distance ?? Infinity;
    return { match: distance <= threshold, distance, threshold, confidence: this.confidence(distance), pairs, facesA, facesB };
  }

  /** 1:1 against an enrolled identity: the nearest of the person's descriptors. */
  async verifyIdentity(image: Image, id: string, threshold = this.threshold): Promise<VerifyResult & { identity: string }> {
    const enrolled = await this.gallery.descriptorsOf(id);
    const facesA = await this.describe(image);
    const pairs: FacePair[] = facesA.map((f, i) => {
      const distance = Math.min(...enrolled.map((d) => euclidean(f.descriptor, d)));
      return { a: i, b: 0, distance, match: distance <= threshold };
    }).sort((x, y) => x.distance - y.distance);
    const distance = pairs[0]?.distance ?? Infinity;
    return { identity: id, match: distance <= threshold, distance, threshold, confidence: this.confidence(distance), pairs, facesA, facesB: [] };
  }

  /** Enrols a person from photos that each show one face; returns the descriptors added. */
  async enroll(id: string, ...images: Image[]): Promise<number> {
    const descriptors: Float32Array[] = [];
    for (const [i, image] of images.entries()) {
      const faces = await this.describe(image);
      if (faces.length !== 1) throw new Error(`enroll '${id}': image ${i + 1} has ${faces.length ? `${faces.length} faces` : 'no face'}; use photos of one face`);
      descriptors.push(faces[0]!.descriptor);
    }
    await this.gallery.enroll(id, descriptors);
    return descriptors.length;
  }

  /** 1:K identification of every face in the image against the gallery. */
  async identify(image: Image, options: { topK?: number; threshold?: number } = {}): Promise<(Identification & { face: DescribedFace })[]> {
    const faces = await this.describe(image);
    const out = [];
    for (const face of faces) out.push({ face, ...(await this.gallery.identify(face.descriptor, { threshold: this.threshold, ...options })) });
    return out;
  }

  /** Fits the calibrated confidence P(same | distance) to labelled pairs of the user's own faces. */
  setCalibration(pairs: readonly LabelledPair[]): void {
    this.logistic = fitLogistic(pairs);
  }

  confidence(distance: number): number | undefined {
    if (!this.logistic || !Number.isFinite(distance)) return undefined;
    return 1 / (1 + Math.exp(-(this.logistic.slope * distance + this.logistic.intercept)));
  }

  /** Releases the networks' GPU memory and closes the gallery (its files or database connections). */
  async dispose(): Promise<void> {
    this.detector.dispose();
    this.landmarkNet.dispose();
    this.recognitionNet.dispose();
    this.passiveNets?.dispose();
    await this.gallery.close();
  }
}
