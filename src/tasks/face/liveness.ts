/**
 * Active liveness: a challenge (blink, head turn) read from 68-point landmark tracks. A photo held
 * up to the camera can be moved, scaled and turned in the image plane, but it cannot close its eyes
 * or turn its head, and EAR and yaw are invariant to all three (ratios of distances, projections
 * along the face's own eye line), so such a track fails.
 */
import type { Point } from '../../nn/boxes.js';
import type { FaceQueryOptions } from './types.js';

export type LivenessChallenge = 'blink' | 'turn';

export interface LivenessFrame {
  /** Timestamp in milliseconds. */
  t: number;
  /** The face's 68 landmarks, or null when the frame shows no face. */
  landmarks: readonly Point[] | null;
}

export interface LivenessOptions {
  /** Challenges that must all pass (default ['blink']). */
  challenges?: LivenessChallenge[];
  /** Every challenge must be completed this long after the first frame (default 10,000 ms). */
  timeLimitMs?: number;
  /** Frames without a face, as a fraction of those within the time limit, above which the check fails (default 0.3). */
  maxMissingFraction?: number;
  /** Eyes are closed below this fraction of the open-eye baseline EAR (default 0.75)… */
  closedRatio?: number;
  /** …and open again above this one (default 0.9). */
  openRatio?: number;
  /**
   * A blink's duration (first closed frame to the first open one after it) must lie in this range:
   * shorter is a one-frame landmark glitch, longer is not a blink (defaults 50 and 1,000 ms).
   */
  minBlinkMs?: number;
  maxBlinkMs?: number;
  /** The side to turn to, the person's own in an unmirrored camera frame; either if absent. */
  turnSide?: 'left' | 'right';
  /** Yaw change from the starting pose that counts as turned (default 0.12 of the face width)… */
  turnThreshold?: number;
  /** …and the change within which the head is back at the centre (default 0.06). */
  returnThreshold?: number;
  /** Face frames at the start whose median yaw is the starting pose (default 3). */
  baselineFrames?: number;
}

export interface LivenessResult {
  live: boolean;
  /** Each requested challenge: passed or not. */
  passed: { blink?: boolean; turn?: boolean };
  /** Why the check passed or failed, in words. */
  reason: string;
  /** The curves the decision was read from, one entry per frame (null: no face). */
  evidence: {
    t: number[];
    ear: (number | null)[];
    yaw: (number | null)[];
    /** Median EAR of the track's face frames: the person's open-eye baseline. */
    baselineEar: number;
    /** Median yaw of the first face frames: the starting pose. */
    baselineYaw: number;
    /** Frames without a face among those within the time limit. */
    missingFraction: number;
  };
}

/** What livenessCheck needs of a recognizer: FaceRecognizer, or a stand-in. */
export interface LivenessRecognizer<Image> {
  describe(image: Image, options?: FaceQueryOptions): Promise<{ landmarks: Point[] }[]>;
}

const DEFAULTS = {
  challenges: ['blink'] as LivenessChallenge[],
  timeLimitMs: 10_000,
  maxMissingFraction: 0.3,
  closedRatio: 0.75,
  openRatio: 0.9,
  minBlinkMs: 50,
  maxBlinkMs: 1_000,
  turnThreshold: 0.12,
  returnThreshold: 0.06,
  baselineFrames: 3,
};

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

function check68(landmarks: readonly Point[]): void {
  if (landmarks.length !== 68) throw new RangeError(`liveness needs 68 landmarks, got ${landmarks.length}`);
}

/** One eye's EAR from its six points p1…p6 starting at `i` (36: right eye, 42: left eye). */
function eyeRatio(p: readonly Point[], i: number): number {
  return (dist(p[i + 1]!, p[i + 5]!) + dist(p[i + 2]!, p[i + 4]!)) / (2 * dist(p[i]!, p[i + 3]!));
}

/** Eye aspect ratio (Soukupová & Čech 2016), the mean of both eyes: ~0.3 open, near 0 closed. */
export function eyeAspectRatio(landmarks: readonly Point[]): number {
  check68(landmarks);
  return (eyeRatio(landmarks, 36) + eyeRatio(landmarks, 42)) / 2;
}

/**
 * Head yaw as the nose tip's (30) offset from the middle of the jaw ends (0, 16), measured along
 * the outer eye corners' line (36 → 45) so that in-plane rotation does not change it, over the
 * face width |16 − 0|. 0: facing the camera; positive: the nose towards landmark 16, i.e. the
 * person turned to their own left in an unmirrored frame.
 */
export function headYaw(landmarks: readonly Point[]): number {
  check68(landmarks);
  const [a, b, nose, l, r] = [landmarks[0]!, landmarks[16]!, landmarks[30]!, landmarks[36]!, landmarks[45]!];
  const [ux, uy] = [r.x - l.x, r.y - l.y];
  const offset = ((nose.x - (a.x + b.x) / 2) * ux + (nose.y - (a.y + b.y) / 2) * uy) / Math.hypot(ux, uy);
  return offset / dist(a, b);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Curve {
  t: number[];
  v: (number | null)[];
}

/** The first blink (closed below `closed`, open again above `open`) of the right duration, or why there is none. */
function findBlink({ t, v }: Curve, closed: number, open: number, o: typeof DEFAULTS): { ok: boolean; reason: string } {
  let seenOpen = false;
  let closedAt: number | null = null;
  let failure = 'no blink';
  for (let i = 0; i < t.length; i++) {
    const ear = v[i];
    if (ear == null) continue;
    if (closedAt === null) {
      if (ear > open) seenOpen = true;
      else if (seenOpen && ear < closed) closedAt = t[i]!;
    } else if (ear > open) {
      const ms = t[i]! - closedAt;
      if (ms >= o.minBlinkMs && ms <= o.maxBlinkMs) return { ok: true, reason: `blinked (${ms} ms)` };
      failure = ms < o.minBlinkMs ? `blink too fast (${ms} ms < ${o.minBlinkMs} ms)` : `blink too slow (${ms} ms > ${o.maxBlinkMs} ms)`;
      closedAt = null;
    }
  }
  if (closedAt !== null) failure = 'eyes closed and not opened again';
  return { ok: false, reason: `${failure} within ${o.timeLimitMs} ms` };
}

/** The first turn past the threshold (on the requested side) followed by a return towards the centre, or why there is none. */
function findTurn({ t, v }: Curve, base: number, o: typeof DEFAULTS & { turnSide?: 'left' | 'right' }): { ok: boolean; reason: string } {
  const side = (d: number) => (d > 0 ? 'left' : 'right');
  let turned: 'left' | 'right' | null = null;
  let failure = 'no head turn';
  for (let i = 0; i < t.length; i++) {
    if (v[i] == null) continue;
    const d = v[i]! - base;
    if (turned === null) {
      if (Math.abs(d) < o.turnThreshold) continue;
      if (o.turnSide && side(d) !== o.turnSide) failure = `turned ${side(d)}, not ${o.turnSide}`;
      else turned = side(d);
    } else if (Math.abs(d) <= o.returnThreshold) return { ok: true, reason: `turned ${turned} and back` };
  }
  if (turned) failure = `turned ${turned} but not back`;
  return { ok: false, reason: `${failure} within ${o.timeLimitMs} ms` };
}

/**
 * Evaluates a challenge over a landmark track (frames in time order). Only frames within
 * `timeLimitMs` of the first count. The blink is judged against the person's own open-eye
 * baseline (the median EAR of the track), the turn against the starting pose.
 */
export function evaluateLiveness(track: readonly LivenessFrame[], options: LivenessOptions = {}): LivenessResult {
  const o = { ...DEFAULTS, ...options };
  for (let i = 1; i < track.length; i++) if (!(track[i]!.t >= track[i - 1]!.t)) throw new RangeError(`liveness frames must be in time order: frame ${i} at ${track[i]!.t} ms after ${track[i - 1]!.t} ms`);
  const t = track.map((f) => f.t);
  const ear = track.map((f) => (f.landmarks ? eyeAspectRatio(f.landmarks) : null));
  const yaw = track.map((f) => (f.landmarks ? headYaw(f.landmarks) : null));
  const inTime = track.filter((f) => f.t - track[0]!.t <= o.timeLimitMs).length;
  const curve = (v: (number | null)[]): Curve => ({ t: t.slice(0, inTime), v: v.slice(0, inTime) });
  const earCurve = curve(ear);
  const yawCurve = curve(yaw);
  const ears = earCurve.v.filter((e): e is number => e !== null);
  const yaws = yawCurve.v.filter((y): y is number => y !== null);
  const baselineEar = ears.length ? median(ears) : NaN;
  const baselineYaw = yaws.length ? median(yaws.slice(0, o.baselineFrames)) : NaN;
  const missingFraction = inTime ? (inTime - ears.length) / inTime : 1;
  const evidence = { t, ear, yaw, baselineEar, baselineYaw, missingFraction };
  const passed: LivenessResult['passed'] = {};
  if (inTime === 0) return { live: false, passed, reason: 'no frames', evidence };
  if (missingFraction > o.maxMissingFraction) {
    const reason = `too many frames without a face (${inTime - ears.length} of ${inTime}, more than ${Math.round(o.maxMissingFraction * 100)}%)`;
    return { live: false, passed, reason, evidence };
  }
  const reasons: string[] = [];
  for (const challenge of o.challenges) {
    const r = challenge === 'blink' ? findBlink(earCurve, o.closedRatio * baselineEar, o.openRatio * baselineEar, o) : findTurn(yawCurve, baselineYaw, o);
    passed[challenge] = r.ok;
    reasons.push(r.reason);
  }
  return { live: o.challenges.every((c) => passed[c]), passed, reason: reasons.join('; '), evidence };
}

/** Runs describe (one face a frame) over camera frames and evaluates the challenge on their landmarks. */
export async function livenessCheck<Image>(recognizer: LivenessRecognizer<Image>, frames: readonly { t: number; image: Image }[], options: LivenessOptions = {}): Promise<LivenessResult> {
  const track: LivenessFrame[] = [];
  for (const { t, image } of frames) track.push({ t, landmarks: (await recognizer.describe(image, { maxFaces: 1 }))[0]?.landmarks ?? null });
  return evaluateLiveness(track, options);
}
