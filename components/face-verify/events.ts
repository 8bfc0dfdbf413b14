import type { DescribedFace, ModelProgress } from '../../src/tasks/face/types.js';

/** Events of <face-verify>; all bubble and cross shadow roots (composed). */
export interface FaceVerifyEventMap {
  /** Model download progress. */
  'wv-progress': CustomEvent<ModelProgress>;
  /** Models are loaded; the element is ready. */
  'wv-ready': CustomEvent<{ adapter: string }>;
  /** Faces were found in a photo (`side` is 'a' or 'b'). */
  'wv-faces': CustomEvent<{ side: 'a' | 'b'; faces: DescribedFace[] }>;
  /** A verification finished. `identity` is set in identity mode. */
  'wv-result': CustomEvent<{ match: boolean; distance: number; threshold: number; confidence?: number; identity?: string }>;
  /** A person was enrolled (identity mode). */
  'wv-enrolled': CustomEvent<{ id: string; descriptors: number }>;
  /** Something went wrong; `kind` says what. */
  'wv-error': CustomEvent<{ kind: 'no-webgpu' | 'model-load' | 'bad-image' | 'no-face' | 'other'; message: string }>;
}

declare global {
  interface HTMLElementEventMap extends FaceVerifyEventMap {}
}

export function emit<K extends keyof FaceVerifyEventMap>(target: EventTarget, name: K, detail: FaceVerifyEventMap[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
