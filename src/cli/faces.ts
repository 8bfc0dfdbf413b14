/** The face pipeline as the commands use it: model loading with progress, and face finding. */
import { createFaceRecognizer, type DescribedFace, type Engine, type FaceRecognizer, type GalleryIndex, type NodeImageInput, type RGBAImage } from '../node.js';
import { choiceOption, numberOption, type CommandContext, type OptionSpec } from './command.js';
import { CliError } from './errors.js';
import { createCliEngine } from './gpu.js';
import { readImageFile } from './images.js';

export type Recognizer = FaceRecognizer<NodeImageInput>;

/** Options the face commands share. */
export const FACE_OPTIONS: Record<string, OptionSpec> = {
  detector: { type: 'string', value: 'ssd|tiny', help: 'face detector: ssd (SSD-MobileNetV1, default, finds more faces) or tiny (faster)' },
  border: { type: 'string', value: 'auto|F', help: 'edge border added around each image, as a fraction of its size, before detection; auto (default): none, then 0.5, then 1 while no face is found (tightly cropped faces such as ORL need context)' },
};

export interface FaceSettings {
  detector: 'ssd' | 'tiny';
  border: 'auto' | number;
}

export function faceSettings(ctx: CommandContext, command: string): FaceSettings {
  const detector = choiceOption(ctx.values, 'detector', command, ['ssd', 'tiny'] as const) ?? 'ssd';
  const border = ctx.values.border === undefined || ctx.values.border === 'auto' ? 'auto' : numberOption(ctx.values, 'border', command, { min: 0, max: 4 })!;
  return { detector, border };
}

/**
 * Creates the recognizer (on `engine`, else a new one), reporting model loading on stderr.
 * `galleryIndex`: the gallery opened already (see galleries.ts); in memory otherwise.
 */
export async function loadRecognizer(ctx: CommandContext, settings: FaceSettings, extra: { threshold?: number; engine?: Engine; galleryIndex?: GalleryIndex } = {}): Promise<Recognizer> {
  const engine = extra.engine ?? (await createCliEngine());
  ctx.out.status(`loading face models on ${engine.adapterInfo.description || 'the GPU'} …`);
  return createFaceRecognizer({
    engine,
    detector: settings.detector,
    border: settings.border,
    threshold: extra.threshold,
    galleryIndex: extra.galleryIndex,
    onProgress: (p) => ctx.out.status(`  ${p.model.replace(/(_model)?-weights_manifest\.json$/, '')} (${p.loaded}/${p.total})`),
  });
}

export interface FoundFaces {
  path: string;
  width: number;
  height: number;
  /** Border (original-image pixels each side) the faces were found with; boxes are in the original image's pixels. */
  border: { x: number; y: number };
  faces: DescribedFace[];
}

/** An image file decoded ahead of the (slow) model loading, so bad input fails at once. */
export interface ImageFile {
  path: string;
  image: RGBAImage;
}

export async function readImageFiles(paths: readonly string[]): Promise<ImageFile[]> {
  const out: ImageFile[] = [];
  for (const path of paths) out.push({ path, image: await readImageFile(path) });
  return out;
}

/** Every face in an image; the recognizer retries with a border as --border says. */
export async function findFaces(recognizer: Recognizer, { path, image }: ImageFile): Promise<FoundFaces> {
  const faces = await recognizer.describe(image);
  const fraction = faces[0]?.border ?? 0;
  return { path, width: image.width, height: image.height, border: { x: Math.round(image.width * fraction), y: Math.round(image.height * fraction) }, faces };
}

export function noFace(path: string): CliError {
  return new CliError(`no face found in ${path}`, undefined, 'no-face');
}

/** A face box for text output: "at 12,34 56x78". */
export const boxText = (b: { x: number; y: number; width: number; height: number }): string =>
  `at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}x${Math.round(b.height)}`;

/** What --json shows of a face (no 128 descriptor values or 68 landmarks). */
export const faceJSON = (f: DescribedFace) => ({ box: roundBox(f.box), score: round(f.score, 4) });
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const roundBox = (b: { x: number; y: number; width: number; height: number }) => ({ x: round(b.x, 1), y: round(b.y, 1), width: round(b.width, 1), height: round(b.height, 1) });
