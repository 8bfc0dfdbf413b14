/**
 * The components' events: each bubbles and is composed (it crosses shadow roots, so a page hears
 * it on `document`), and `wv-error` has one detail for both elements.
 */

/** What went wrong, in a `wv-error` event and as the error's `data-kind` on the page. */
export type WvErrorKind =
  /** The browser has no WebGPU, or no adapter. */
  | 'no-webgpu'
  /** A model (face networks, the style feature network) could not be fetched or read. */
  | 'model-load'
  /** A photo, picture or example that cannot be read as an image. */
  | 'bad-image'
  /** A photo without a face, or an enrol photo without exactly one (<wv-face-verify>). */
  | 'no-face'
  /** In an `<iframe>` without `allow="camera"`: the embedding page must grant the camera. */
  | 'camera-blocked'
  /** The visitor or a browser setting denied the camera. */
  | 'camera-denied'
  | 'no-camera'
  /** The camera exists but could not be started (in use elsewhere, or no secure context). */
  | 'camera-unavailable'
  /** The visitor cancelled a style-transfer run. */
  | 'aborted'
  | 'other';

/** The detail of `wv-error`, from either element. */
export interface WvErrorDetail {
  kind: WvErrorKind;
  /** A sentence to show as is. */
  message: string;
  /**
   * Which of the element's inputs it concerns, where one does: a photo ('a' or 'b') of
   * <wv-face-verify>, a picker ('content' or 'style') of <wv-style-transfer>.
   */
  input?: 'a' | 'b' | 'content' | 'style';
}

declare global {
  interface HTMLElementEventMap {
    /** Something went wrong in a wgsl-vision element; `kind` says what. */
    'wv-error': CustomEvent<WvErrorDetail>;
  }
}

type Detail<E> = E extends CustomEvent<infer D> ? D : never;

/** Dispatches a bubbling, composed `name` event from `target`, its detail typed by the DOM's event map. */
export function emit<K extends keyof HTMLElementEventMap>(target: EventTarget, name: K, detail: Detail<HTMLElementEventMap[K]>): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
