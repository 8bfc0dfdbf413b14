/**
 * Pictures for the visualisations: RGB float images (0…255), patches cut from them (the part
 * outside the image shown grey), a contrast stretch for activation-maximisation images, and a
 * grid of cells (rows = units) rendered to RGBA.
 */
import type { RGBAImage } from '../../ops/image.js';

/** An RGB image of floats, nominally 0…255, row-major [height, width, 3]. */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

const GREY = 128;

/** The pixels of `image` inside `box` (whole pixels); outside the image they are grey. */
export function cutPatch(image: FloatImage, box: { x: number; y: number; width: number; height: number }): FloatImage {
  const out = new Float32Array(box.width * box.height * 3).fill(GREY);
  for (let y = 0; y < box.height; y++) {
    const sy = box.y + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < box.width; x++) {
      const sx = box.x + x;
      if (sx < 0 || sx >= image.width) continue;
      for (let c = 0; c < 3; c++) out[(y * box.width + x) * 3 + c] = image.data[(sy * image.width + sx) * 3 + c]!;
    }
  }
  return { width: box.width, height: box.height, data: out };
}

/** Stretches the image's 1st…99th percentile over 0…255 (what unit visualisations are shown with). */
export function stretchContrast(image: FloatImage): FloatImage {
  const sorted = Float32Array.from(image.data).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))]!;
  const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))]!;
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  return { width: image.width, height: image.height, data: image.data.map((v) => (v - lo) * scale) };
}

export interface GridOptions {
  /** Side of each square cell in pixels (cells are scaled to it, nearest neighbour; default 48). */
  cell?: number;
  /** Pixels between cells (default 2). */
  gap?: number;
  /** Gap colour, 0…255 grey (default 255). */
  background?: number;
}

/** Rows of cells (e.g. units × their 9 patches) as one RGBA image; each cell scaled to fit its square. */
export function renderGrid(rows: readonly (readonly FloatImage[])[], o: GridOptions = {}): RGBAImage {
  const cell = o.cell ?? 48;
  const gap = o.gap ?? 2;
  if (!(cell >= 1 && Number.isInteger(cell)) || !(gap >= 0 && Number.isInteger(gap))) throw new Error(`renderGrid: cell and gap must be whole pixels, got ${cell} and ${gap}`);
  const cols = Math.max(0, ...rows.map((r) => r.length));
  if (rows.length === 0 || cols === 0) throw new Error('renderGrid: nothing to draw (no rows or no cells)');
  const width = cols * cell + (cols + 1) * gap;
  const height = rows.length * cell + (rows.length + 1) * gap;
  const data = new Uint8Array(width * height * 4).fill(o.background ?? 255);
  rows.forEach((row, r) => row.forEach((img, c) => {
    const scale = cell / Math.max(img.width, img.height);
    const w = Math.max(1, Math.round(img.width * scale));
    const h = Math.max(1, Math.round(img.height * scale));
    const x0 = gap + c * (cell + gap) + Math.floor((cell - w) / 2);
    const y0 = gap + r * (cell + gap) + Math.floor((cell - h) / 2);
    for (let y = 0; y < h; y++) {
      const sy = Math.min(img.height - 1, Math.floor(y / scale));
      for (let x = 0; x < w; x++) {
        const sx = Math.min(img.width - 1, Math.floor(x / scale));
        const o4 = ((y0 + y) * width + x0 + x) * 4;
        for (let k = 0; k < 3; k++) data[o4 + k] = Math.max(0, Math.min(255, Math.round(img.data[(sy * img.width + sx) * 3 + k]!)));
        data[o4 + 3] = 255;
      }
    }
  }));
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width, height, data };
}
