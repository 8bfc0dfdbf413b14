/**
 * The components' theme: each custom property is read where it is used, with its default as the
 * fallback of `var()`. Nothing is declared on `:host`, so a theme set on any ancestor (`body {
 * --wv-accent: teal }`) reaches the elements; a value declared on `:host` would hide it.
 */
import { css, unsafeCSS } from 'lit';

/** The accent's default, also for drawing on a canvas when no theme sets one. */
export const DEFAULT_ACCENT = '#2f6fde';

export const accent = css`var(--wv-accent, ${unsafeCSS(DEFAULT_ACCENT)})`;
export const radius = css`var(--wv-radius, 12px)`;
export const border = css`var(--wv-border, 1px solid #8885)`;
export const surface = css`var(--wv-surface, transparent)`;
export const matchColor = css`var(--wv-match, #1b8a3a)`;
export const noMatchColor = css`var(--wv-no-match, #c62828)`;

/** What both elements look like alike: the panel, buttons, hints, errors, example thumbnails and inputs. */
export const baseStyles = css`
  :host { display: block; font-family: var(--wv-font, system-ui, sans-serif); color: inherit; }
  * { box-sizing: border-box; }
  [part='panel'] { border: ${border}; border-radius: ${radius}; padding: 1rem; background: ${surface}; }
  [part~='dropzone'].over { border-color: ${accent}; background: color-mix(in srgb, ${accent} 8%, transparent); }
  button, [part~='button'] {
    font: inherit; border: 0; border-radius: 8px; padding: .45rem .9rem; background: ${accent}; color: white; cursor: pointer;
  }
  button:focus-visible, [part~='button']:focus-within, a:focus-visible { outline: 2px solid ${accent}; outline-offset: 2px; }
  .secondary { background: transparent; color: ${accent}; border: 1px solid ${accent}; }
  button:disabled, [part~='button'][aria-disabled='true'] { opacity: .45; cursor: default; pointer-events: none; }
  .hint { font-size: .85rem; opacity: .75; margin: 0; }
  [part~='error'] { padding: .6rem .9rem; border-radius: ${radius}; background: #c628281a; color: #c62828; font-weight: 600; font-size: .9rem; }
  [part~='examples'] { display: flex; gap: .4rem; flex-wrap: wrap; }
  [part~='example'] {
    padding: 0; width: 2.75rem; height: 2.75rem; border-radius: 8px; overflow: hidden; border: 2px solid transparent;
    background: #8882; cursor: pointer;
  }
  [part~='example'][aria-pressed='true'] { border-color: ${accent}; }
  [part~='example'] img { width: 100%; height: 100%; object-fit: cover; display: block; }
  select, input[type='text'], input[type='number'] { font: inherit; padding: .35rem; border-radius: 8px; border: ${border}; background: transparent; color: inherit; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
