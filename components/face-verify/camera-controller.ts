/**
 * The camera of <wv-face-verify> as a reactive controller: which photo it is open for, its
 * stream, and the liveness check over its frames (the prompt of the moment, or the check that
 * failed). Leaving the page stops the camera.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DescribedFace, LivenessChallenge, LivenessOptions } from '../../src/index.js';
import { errorKind, messageOf } from '../shared/errors.js';
import { emit, type WvErrorKind } from '../shared/events.js';
import { openCamera } from './camera.js';
import { runLiveness, type CameraLivenessResult, type Describe, type LivenessProgress } from './liveness-run.js';

export type Side = 'a' | 'b';

/** Video frames go to the networks at most this wide (or high). */
const FRAME_SIZE = 640;

export const CHALLENGES: readonly LivenessChallenge[] = ['blink', 'turn'];

/** The liveness check under way (its latest frame), or the last one that failed. */
export interface LiveCheck {
  progress: LivenessProgress | null;
  failed: CameraLivenessResult | null;
  challenges: LivenessChallenge[];
  timeLimitMs: number;
  turnSide?: 'left' | 'right';
}

/** What the controller needs of its element. */
export interface CameraUse {
  video(): HTMLVideoElement | undefined;
  /** The challenges asked for, or null for no liveness check. */
  liveness(): LivenessChallenge[] | null;
  livenessOptions(): LivenessOptions;
  threshold(): number;
  describe: Describe;
  /** A still taken with Take photo, for `side`. */
  took(side: Side, frame: ImageBitmap): Promise<void>;
  /** A passed liveness check: one of its frames, with its face, becomes `side`'s photo. */
  passed(side: Side, frame: ImageBitmap, face: DescribedFace, result: CameraLivenessResult): void;
  failed(kind: WvErrorKind, message: string, side: Side): void;
}

export class CameraController implements ReactiveController {
  /** The photo the camera is open for. */
  side: Side | null = null;
  live: LiveCheck | null = null;
  private stream: MediaStream | null = null;
  private run: AbortController | null = null;

  constructor(private readonly host: ReactiveControllerHost & EventTarget, private readonly use: CameraUse) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  async open(side: Side): Promise<void> {
    this.stop();
    const liveness = this.use.liveness();
    try {
      this.stream = await openCamera(liveness
        ? { facingMode: 'user', width: { ideal: FRAME_SIZE }, height: { ideal: (FRAME_SIZE * 3) / 4 } }
        : { facingMode: 'user' });
    } catch (e) {
      const kind = errorKind(e);
      return this.use.failed(kind, kind === 'other' ? `The camera is not available: ${messageOf(e)}` : messageOf(e), side);
    }
    this.set({ side });
    await this.host.updateComplete;
    const video = this.use.video()!;
    video.srcObject = this.stream;
    try {
      await video.play();
    } catch (e) {
      this.stop();
      return this.use.failed('camera-unavailable', `The camera picture could not be shown: ${messageOf(e)}`, side);
    }
    if (liveness) void this.check(side);
  }

  /** Take photo: the current frame, for the photo the camera is open for. */
  async capture(): Promise<void> {
    const side = this.side!;
    const frame = await createImageBitmap(this.use.video()!);
    this.stop();
    await this.use.took(side, frame);
  }

  stop(): void {
    this.run?.abort();
    this.run = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.set({ side: null, live: null });
  }

  /** Runs the liveness check over the camera; a pass keeps one of its frames as the photo. */
  async check(side: Side): Promise<void> {
    this.run?.abort();
    const run = new AbortController();
    this.run = run;
    const challenges = [...(this.use.liveness() ?? CHALLENGES)];
    const given = this.use.livenessOptions();
    const turnSide = challenges.includes('turn') ? given.turnSide ?? (Math.random() < 0.5 ? 'left' : 'right') : undefined;
    const options: LivenessOptions = { ...given, ...(turnSide ? { turnSide } : {}) };
    const timeLimitMs = options.timeLimitMs ?? 10_000;
    const started = performance.now();
    const first: LivenessProgress = { step: 'look', passed: {}, t: 0, timeLeftMs: timeLimitMs, face: true, ear: null, yaw: null, frames: 0 };
    this.set({ live: { progress: first, failed: null, challenges, timeLimitMs, ...(turnSide ? { turnSide } : {}) } });
    const current = () => this.run === run;
    const tick = setInterval(() => {
      const live = this.live;
      if (live?.progress && current()) this.set({ live: { ...live, progress: { ...live.progress, timeLeftMs: Math.max(0, timeLimitMs - (performance.now() - started)) } } });
    }, 250);
    try {
      const { result, photo } = await runLiveness({
        describe: this.use.describe, grab: () => this.grab(), challenges, options, threshold: this.use.threshold(), signal: run.signal,
        onProgress: (p) => {
          if (!current()) return;
          this.set({ live: { ...this.live!, progress: p } });
          emit(this.host, 'wv-liveness-progress', { side, ...p });
        },
      });
      if (!current()) return photo?.bitmap.close();
      emit(this.host, 'wv-liveness', { side, ...result });
      if (photo) {
        this.stop();
        this.use.passed(side, photo.bitmap, photo.face, result);
      } else {
        this.set({ live: { ...this.live!, progress: null, failed: result } });
      }
    } catch (e) {
      if (run.signal.aborted || !current()) return;
      this.set({ live: null });
      this.use.failed('other', `The liveness check could not run: ${messageOf(e)}`, side);
    } finally {
      clearInterval(tick);
      if (current()) this.run = null;
    }
  }

  /** The newest camera frame, at most FRAME_SIZE on its longer side. */
  private async grab(): Promise<ImageBitmap> {
    const video = this.use.video();
    if (!video) throw new DOMException('the camera was closed', 'AbortError');
    if (video.readyState < 2) await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
    const scale = Math.min(1, FRAME_SIZE / Math.max(video.videoWidth, video.videoHeight));
    return scale < 1
      ? createImageBitmap(video, { resizeWidth: Math.round(video.videoWidth * scale), resizeHeight: Math.round(video.videoHeight * scale), resizeQuality: 'medium' })
      : createImageBitmap(video);
  }

  private set(change: Partial<Pick<CameraController, 'side' | 'live'>>): void {
    Object.assign(this, change);
    this.host.requestUpdate();
  }
}
