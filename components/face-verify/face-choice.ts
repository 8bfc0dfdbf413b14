/**
 * Choosing among the faces of a photo: a radio per face over its box (a click, or Tab to the group
 * and the arrow keys, Home and End), in left-to-right order.
 */
import { html, type TemplateResult } from 'lit';
import type { DescribedFace } from '../../src/index.js';
import { styleProps } from '../style-props.js';

export interface FaceChoice {
  /** Names the radios' group ('Photo A'), and the photo they are on (`data-side`). */
  label: string;
  side: string;
  faces: readonly DescribedFace[];
  /** The chosen face (index into faces), or -1. */
  selected: number;
  /** The photo's size in pixels: the boxes are placed in percent of it. */
  width: number;
  height: number;
  /** Chooses a face; resolves once the element shows the choice. */
  choose(index: number): Promise<unknown>;
}

/** Indices of `faces` from the leftmost box to the rightmost: the order the keyboard moves through them. */
export function leftToRight(faces: readonly DescribedFace[]): number[] {
  return faces.map((_, i) => i).sort((i, j) => faces[i]!.box.x - faces[j]!.box.x || faces[i]!.box.y - faces[j]!.box.y);
}

const STEP: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** The face a key moves the choice to, or null for a key that does not move it. */
function target(key: string, order: readonly number[], selected: number): number | null {
  if (key === 'Home') return order[0]!;
  if (key === 'End') return order.at(-1)!;
  const step = STEP[key];
  if (step === undefined) return null;
  const at = Math.max(0, order.indexOf(selected));
  return order[(at + step + order.length) % order.length]!;
}

/** The radio group over a photo. A key that moves the choice also moves the focus to the chosen face. */
export function faceChoice(c: FaceChoice): TemplateResult {
  const order = leftToRight(c.faces);
  const focusable = c.selected >= 0 ? c.selected : order[0];
  const pct = (v: number, of: number) => `${(100 * v) / of}%`;
  const onKey = (e: KeyboardEvent) => {
    const to = target(e.key, order, c.selected);
    if (to === null) return;
    e.preventDefault();
    const group = e.currentTarget as HTMLElement;
    // Once the radios show the new choice (its radio the group's tab stop), it takes the focus.
    void c.choose(to).then(() => group.querySelector<HTMLElement>(`[data-face="${to}"]`)?.focus());
  };
  return html`<div part="faces" role="radiogroup" aria-label="Faces in ${c.label}: the one to use" @keydown=${onKey}>
    ${order.map((i, n) => {
      const { box } = c.faces[i]!;
      return html`<button type="button" role="radio" part="face${i === c.selected ? ' face-selected' : ''}" data-side=${c.side} data-face=${i}
        aria-checked=${String(i === c.selected)} aria-label="Face ${n + 1} of ${order.length}, from the left" tabindex=${i === focusable ? '0' : '-1'}
        ${styleProps({ left: pct(box.x, c.width), top: pct(box.y, c.height), width: pct(box.width, c.width), height: pct(box.height, c.height) })}
        @click=${() => c.choose(i)}></button>`;
    })}
  </div>`;
}
