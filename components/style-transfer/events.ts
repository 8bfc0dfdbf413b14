import type { RGBAImage } from '../../src/index.js';
import type { WvErrorDetail } from '../shared/events.js';

/** Which picker an image belongs to. */
export type StyleRole = 'content' | 'style';

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

/** Events of <wv-style-transfer>; all bubble and cross shadow roots (composed). */
export interface StyleTransferEventMap {
  /** The GPU is ready (the feature network loads on the first Start). */
  'wv-style-ready': CustomEvent<{ adapter: string }>;
  /** A content or style image was set (file, drop, example or `setImage`). */
  'wv-style-input': CustomEvent<{ role: StyleRole; width: number; height: number; name: string }>;
  /** An optimisation run began. */
  'wv-style-start': CustomEvent<{ size: number; iterations: number; contentWeight: number; styleWeight: number }>;
  /** One optimisation step; `image` is set on preview steps (the preview canvas shows it). */
  'wv-style-progress': CustomEvent<StyleLosses & { image?: RGBAImage }>;
  /** The run finished: the final image, as pixels and as a PNG. */
  'wv-style-done': CustomEvent<StyleLosses & { image: RGBAImage; png: Blob; seconds: number }>;
  /** Something went wrong or the run was cancelled; `kind` says what, `input` which picker for 'bad-image'. */
  'wv-error': CustomEvent<WvErrorDetail>;
}

declare global {
  interface HTMLElementEventMap extends StyleTransferEventMap {}
}
