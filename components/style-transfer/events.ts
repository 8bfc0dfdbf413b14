import type { RGBAImage } from '../../src/index.js';

/** Which picker an image belongs to. */
export type StyleRole = 'content' | 'style';

/** What went wrong, for `wv-error`. */
export type StyleErrorKind = 'no-webgpu' | 'model-load' | 'bad-image' | 'aborted' | 'other';

/** Loss figures of one optimisation step. */
export interface StyleLosses {
  /** 1-based step number. */
  iteration: number;
  /** Steps asked for. */
  iterations: number;
  /** Total cost α·Jcontent + β·Jstyle (+ total variation). */
  J: number;
  Jcontent: number;
  Jstyle: number;
}

/** Events of <style-transfer>; all bubble and cross shadow roots (composed). */
export interface StyleTransferEventMap {
  /** The GPU is ready (the feature network loads on the first Start). */
  'wv-style-ready': CustomEvent<{ adapter: string }>;
  /** A content or style image was set (file, drop, example or `setImage`). */
  'wv-style-input': CustomEvent<{ role: StyleRole; width: number; height: number; name: string }>;
  /** An optimisation run began. */
  'wv-style-start': CustomEvent<{ size: number; iterations: number; alpha: number; beta: number }>;
  /** One optimisation step; `image` is set on preview steps (the preview canvas shows it). */
  'wv-style-progress': CustomEvent<StyleLosses & { image?: RGBAImage }>;
  /** The run finished: the final image, as pixels and as a PNG. */
  'wv-style-done': CustomEvent<StyleLosses & { image: RGBAImage; png: Blob; seconds: number }>;
  /** Something went wrong or the run was cancelled; `kind` says what, `role` which picker for 'bad-image'. */
  'wv-error': CustomEvent<{ kind: StyleErrorKind; message: string; role?: StyleRole }>;
}

// <face-verify> types 'wv-error' for its own kinds; the style events are added to the DOM's map
// without it (listen with `StyleTransferEventMap['wv-error']` for this element's kinds).
declare global {
  interface HTMLElementEventMap extends Omit<StyleTransferEventMap, 'wv-error'> {}
}

export function emit<K extends keyof StyleTransferEventMap>(target: EventTarget, name: K, detail: StyleTransferEventMap[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
