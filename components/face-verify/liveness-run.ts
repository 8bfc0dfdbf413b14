/**
 * The camera half of `<wv-face-verify liveness>`: frames from a video go through describe() one after
 * another (the newest frame each time; frames that arrive meanwhile are skipped), and the library's
 * evaluateLiveness judges the landmark track after every frame, so the prompts follow the person.
 * The photo compared afterwards is one of the check's own frames, and every face seen during the
 * check must be that photo's person.
 */
import { euclidean, evaluateLiveness, type DescribedFace, type FaceQueryOptions, type LivenessChallenge, type LivenessFrame, type LivenessOptions, type LivenessResult } from '../../src/index.js';

/** What the person is asked to do now. */
export type LivenessStep = 'look' | LivenessChallenge | 'done';

export interface LivenessProgress {
  step: LivenessStep;
  passed: LivenessResult['passed'];
  /** Milliseconds since the first frame, and left of the time limit. */
  t: number;
  timeLeftMs: number;
  /** Whether the newest frame showed a face, with its eye aspect ratio and yaw. */
  face: boolean;
  ear: number | null;
  yaw: number | null;
  frames: number;
}

export interface CameraLivenessResult extends LivenessResult {
  /** Frames analysed. */
  frames: number;
  /** The largest descriptor distance between the photo kept for comparing and any other face of the check. */
  maxFaceDistance: number;
  /** The side the check was for, and the challenges asked. */
  challenges: LivenessChallenge[];
  turnSide?: 'left' | 'right';
}

export interface LivenessRun {
  result: CameraLivenessResult;
  /** The frame (and its face) to compare: the most open-eyed of the first frames with a face. */
  photo: { bitmap: ImageBitmap; face: DescribedFace } | null;
}

export type Describe = (image: ImageBitmap, options?: FaceQueryOptions) => Promise<DescribedFace[]>;

export interface RunLivenessOptions {
  describe: Describe;
  /** The newest camera frame. */
  grab: () => Promise<ImageBitmap>;
  challenges: LivenessChallenge[];
  options: LivenessOptions;
  /** Faces farther apart than this (the verification threshold) are different people. */
  threshold: number;
  signal: AbortSignal;
  onProgress: (p: LivenessProgress) => void;
}

const CANDIDATES = 3;

/** The step to prompt for: look at the camera until a few faces are in, then each challenge not yet passed. */
export function stepFor(faceFrames: number, passed: LivenessResult['passed'], challenges: readonly LivenessChallenge[], baselineFrames = 3): LivenessStep {
  if (faceFrames < (challenges.includes('turn') ? baselineFrames : 2)) return 'look';
  return challenges.find((c) => !passed[c]) ?? 'done';
}

export async function runLiveness(o: RunLivenessOptions): Promise<LivenessRun> {
  const options: LivenessOptions = { ...o.options, challenges: o.challenges };
  const limit = options.timeLimitMs ?? 10_000;
  const track: LivenessFrame[] = [];
  const descriptors: Float32Array[] = [];
  const candidates: { bitmap: ImageBitmap; face: DescribedFace; ear: number }[] = [];
  let t0 = -1;
  let last: LivenessResult | null = null;
  try {
    for (;;) {
      if (o.signal.aborted) throw new DOMException('the liveness check was cancelled', 'AbortError');
      const now = performance.now();
      if (t0 < 0) t0 = now;
      const t = Math.round(now - t0);
      if (t > limit) break;
      const bitmap = await o.grab();
      const face = (await o.describe(bitmap, { maxFaces: 1 }))[0];
      track.push({ t, landmarks: face?.landmarks ?? null });
      last = evaluateLiveness(track, options);
      const ear = last.evidence.ear.at(-1) ?? null;
      if (face) descriptors.push(face.descriptor);
      if (face && candidates.length < CANDIDATES) candidates.push({ bitmap, face, ear: ear ?? 0 });
      else bitmap.close();
      const faces = descriptors.length;
      o.onProgress({
        step: last.live ? 'done' : stepFor(faces, last.passed, o.challenges, options.baselineFrames),
        passed: last.passed, t, timeLeftMs: Math.max(0, limit - t), face: !!face,
        ear, yaw: last.evidence.yaw.at(-1) ?? null, frames: track.length,
      });
      if (last.live) break;
    }
    const judged = last ?? evaluateLiveness(track, options);
    const pick = candidates.reduce<(typeof candidates)[number] | null>((best, c) => (!best || c.ear > best.ear ? c : best), null);
    const maxFaceDistance = pick ? Math.max(0, ...descriptors.map((d) => euclidean(d, pick.face.descriptor))) : 0;
    const sameFace = maxFaceDistance <= o.threshold;
    const result: CameraLivenessResult = {
      ...judged,
      live: judged.live && sameFace && !!pick,
      reason: sameFace ? judged.reason : `${judged.reason}; a different face appeared during the check (distance ${maxFaceDistance.toFixed(2)} > ${o.threshold})`,
      frames: track.length,
      maxFaceDistance,
      challenges: [...o.challenges],
      ...(options.turnSide ? { turnSide: options.turnSide } : {}),
    };
    for (const c of candidates) if (c !== pick || !result.live) c.bitmap.close();
    return { result, photo: result.live && pick ? pick : null };
  } catch (e) {
    for (const c of candidates) c.bitmap.close();
    throw e;
  }
}
