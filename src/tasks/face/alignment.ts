/**
 * Face alignment from the 68 landmarks: the similarity transform (rotation, uniform scale,
 * translation) that takes a face's landmarks closest, in least squares, to a template's, as the
 * map from chip to image coordinates that warpAffine samples with. Two templates:
 * - 'arcface': the 5-point 112x112 template of ArcFace-style embeddings (InsightFace; eye
 *   centres, nose tip, mouth corners), used by MobileFaceNet and MobileFace.
 * - 'dlib': dlib's get_face_chip_details for the 68-point model (its mean face shape, the points
 *   of the eyes, nose and upper mouth), the chip dlib's 128-D ResNet was trained on (150 px,
 *   padding 0.25).
 */
import type { Point } from '../../nn/boxes.js';
import type { Affine } from '../../ops/image.js';

export type AlignmentTemplate = 'arcface' | 'dlib';

/**
 * The least-squares similarity transform q ≈ s·R·p + t taking `from` onto `to` (Umeyama's
 * closed form in 2-D, never a reflection).
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  if (from.length !== to.length || from.length < 2) throw new Error(`similarityTransform: needs two equal lists of at least 2 points, got ${from.length} and ${to.length}`);
  const n = from.length;
  const mean = (ps: readonly Point[]) => ({ x: ps.reduce((s, p) => s + p.x, 0) / n, y: ps.reduce((s, p) => s + p.y, 0) / n });
  const [mp, mq] = [mean(from), mean(to)];
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]!.x - mp.x, py = from[i]!.y - mp.y;
    const qx = to[i]!.x - mq.x, qy = to[i]!.y - mq.y;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (!(norm > 0)) throw new Error('similarityTransform: the source points all coincide');
  const a = dot / norm;
  const d = cross / norm;
  // [a −d; d a] is s·R; the translation takes the source centroid to the target's.
  return { a, b: -d, c: mq.x - a * mp.x + d * mp.y, d, e: a, f: mq.y - d * mp.x - a * mp.y };
}

/** Applies an affine map to a point. */
export function applyAffine(t: Affine, p: Point): Point {
  return { x: t.a * p.x + t.b * p.y + t.c, y: t.d * p.x + t.e * p.y + t.f };
}

/** The 112x112 ArcFace template (InsightFace's arcface_dst), as continuous pixel coordinates. */
const ARCFACE_112: readonly Point[] = [
  { x: 38.2946, y: 51.6963 }, { x: 73.5318, y: 51.5014 }, { x: 56.0252, y: 71.7366 }, { x: 41.5493, y: 92.3655 }, { x: 70.7299, y: 92.2041 },
];

const centre = (pts: readonly Point[]): Point => ({ x: pts.reduce((s, p) => s + p.x, 0) / pts.length, y: pts.reduce((s, p) => s + p.y, 0) / pts.length });

/** Eye centres, nose tip and mouth corners (image left to right) from the 68 landmarks. */
export function fivePoints(landmarks: readonly Point[]): Point[] {
  checkLandmarks(landmarks);
  return [centre(landmarks.slice(36, 42)), centre(landmarks.slice(42, 48)), landmarks[30]!, landmarks[48]!, landmarks[54]!];
}

/**
 * dlib's mean face shape for landmarks 17…67 (x and y in [0, 1] of the chip before padding),
 * from dlib/image_transforms/interpolation.h get_face_chip_details.
 */
const DLIB_MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127, 0.490127,
  0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647,
  0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159,
  0.556721, 0.490127, 0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const DLIB_MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805,
  0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733,
  0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
  0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];
/** The landmarks dlib fits its chip to: 27…54 and 60…64 (not the jaw, eyebrows or lower lip). */
const DLIB_POINTS = Array.from({ length: 68 }, (_, i) => i).filter((i) => i >= 27 && !(i >= 55 && i <= 59) && !(i >= 65));

function checkLandmarks(landmarks: readonly Point[]): void {
  if (landmarks.length !== 68) throw new Error(`face alignment needs the 68 landmarks, got ${landmarks.length} points`);
  if (!landmarks.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) throw new Error('face alignment: a landmark is not a finite point');
}

export interface ChipGeometry {
  template: AlignmentTemplate;
  /** The chip's side in pixels. */
  size: number;
  /**
   * Extra margin: 'arcface' scales the template about the chip centre by 1 / (1 + 2·padding)
   * (0: the standard 112 px crop, drawn at `size`); 'dlib' is dlib's padding (0.25 for its
   * face-recognition chips).
   */
  padding?: number;
}

/** The chip → image map that aligns a face (by its 68 landmarks) to the template. */
export function alignmentTransform(landmarks: readonly Point[], g: ChipGeometry): Affine {
  checkLandmarks(landmarks);
  const padding = g.padding ?? (g.template === 'dlib' ? 0.25 : 0);
  if (g.template === 'dlib') {
    const chip = DLIB_POINTS.map((i) => ({ x: ((padding + DLIB_MEAN_X[i - 17]!) / (2 * padding + 1)) * g.size, y: ((padding + DLIB_MEAN_Y[i - 17]!) / (2 * padding + 1)) * g.size }));
    return similarityTransform(chip, DLIB_POINTS.map((i) => landmarks[i]!));
  }
  const k = g.size / 112 / (1 + 2 * padding);
  const chip = ARCFACE_112.map((p) => ({ x: (p.x - 56) * k + g.size / 2, y: (p.y - 56) * k + g.size / 2 }));
  return similarityTransform(chip, fivePoints(landmarks));
}
