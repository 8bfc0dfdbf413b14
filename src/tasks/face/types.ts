import type { PassiveScores } from './passive-liveness.js';
/** Public shapes of the face task: what describe/verify/identify return. */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A face as detect() returns it: where it is, how sure the detector is. */
export interface DetectedFace {
  /** Detector box in image pixels, with its score. */
  box: Box;
  score: number;
  /** The edge border (a fraction of the photo's size on each side) the face was found with; absent: the photo as it is. */
  border?: number;
}

/** Per-call options of detect() and describe(). */
export interface FaceQueryOptions {
  /** Keep only this many faces, the highest-scoring (a positive integer; all if absent). */
  maxFaces?: number;
}

export interface DescribedFace extends DetectedFace {
  /** 68 (x, y) landmark points in image pixels. */
  landmarks: { x: number; y: number }[];
  /** The box the descriptor was computed from (landmark-aligned). */
  alignedBox: Box;
  /** The face descriptor f(x): 128-D for 'dlib', L2-normalised and of its model's size for the others. */
  descriptor: Float32Array;
  /** Passive liveness hints, with the recognizer's `passive` option (see passive-liveness.ts). */
  passive?: PassiveScores;
}

export interface FacePair {
  /** Indices into the faces of the first and second image. */
  a: number;
  b: number;
  distance: number;
  match: boolean;
}

export interface VerifyResult {
  match: boolean;
  /** Euclidean distance of the closest pair of faces (Infinity when an image has no face). */
  distance: number;
  threshold: number;
  /** Calibrated P(same person), when a calibration is set. */
  confidence?: number;
  /** Every face pair, closest first (many-to-many for multi-face photos). */
  pairs: FacePair[];
  facesA: DescribedFace[];
  facesB: DescribedFace[];
}

export interface ModelProgress {
  model: string;
  loaded: number;
  total: number;
}

/** What <wv-face-verify> needs of a recognizer (the real one, or a stand-in in tests). */
export interface FaceRecognizerLike<Image = unknown> {
  /** Every face in the image, with box, landmarks and descriptor. */
  describe(image: Image): Promise<DescribedFace[]>;
  gallery: {
    list(): Promise<{ id: string; descriptors: number }[]>;
    enroll(id: string, descriptors: readonly ArrayLike<number>[]): Promise<void>;
    forget(id: string): Promise<boolean>;
    descriptorsOf(id: string): Promise<Float32Array[]>;
  };
  /** Calibrated P(same | distance), when the recognizer has a calibration. */
  confidence?(distance: number): number | undefined;
  /** A line naming the GPU adapter. */
  readonly adapter: string;
}
