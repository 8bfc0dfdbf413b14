import type { DescribedFace, ModelProgress } from '../../src/tasks/face/types.js';
import type { WvErrorDetail } from '../shared/events.js';
import type { CameraLivenessResult, LivenessProgress } from './liveness-run.js';

/** Events of <wv-face-verify>; all bubble and cross shadow roots (composed). */
export interface FaceVerifyEventMap {
  /** Model download progress. */
  'wv-progress': CustomEvent<ModelProgress>;
  /** Models are loaded; the element is ready. */
  'wv-ready': CustomEvent<{ adapter: string }>;
  /** Faces were found in a photo (`side` is 'a' or 'b'). */
  'wv-faces': CustomEvent<{ side: 'a' | 'b'; faces: DescribedFace[] }>;
  /**
   * A verification finished. `identity` is set in identity mode; with the `liveness` attribute,
   * `liveness` says for each photo whether it passed the liveness check on the camera.
   */
  'wv-result': CustomEvent<{ match: boolean; distance: number; threshold: number; confidence?: number; identity?: string; liveness?: { a?: boolean; b?: boolean } }>;
  /** A person was enrolled (identity mode). */
  'wv-enrolled': CustomEvent<{ id: string; descriptors: number }>;
  /** A person was forgotten: their descriptors are erased from the gallery and its storage (identity mode's Forget). */
  'wv-forgotten': CustomEvent<{ id: string }>;
  /** One camera frame of a liveness check was analysed: the prompt, what passed so far, the time left. */
  'wv-liveness-progress': CustomEvent<LivenessProgress & { side: 'a' | 'b' }>;
  /** A liveness check ended: pass/fail, the reason and the evidence (EAR and yaw curves). */
  'wv-liveness': CustomEvent<CameraLivenessResult & { side: 'a' | 'b' }>;
  /** Something went wrong; `kind` says what, `input` which photo where it concerns one. */
  'wv-error': CustomEvent<WvErrorDetail>;
}

declare global {
  interface HTMLElementEventMap extends FaceVerifyEventMap {}
}

