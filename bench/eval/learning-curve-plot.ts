/**
 * The learning curve of a training run as a figure: the loss per step (light) and per epoch
 * (dark) above, pair accuracies per epoch below, epochs along both; drawn into RGBA pixels
 * (encodePNG writes them) with the benchmark plots' pixel font.
 */
import { Canvas, TEXT_HEIGHT, textWidth, type Color } from './lfw-pixel-font.js';

export interface CurveSeries {
  /** The legend's text; a series with an empty label stays out of the legend. */
  label: string;
  /** [x, y] points, x in epochs (fractions for steps). */
  points: readonly (readonly [number, number])[];
  color: Color;
  width?: number;
}

export interface CurvePanel {
  yLabel: string;
  series: readonly CurveSeries[];
  /** The y range; from the data (with a margin) where not given. */
  yMin?: number;
  yMax?: number;
  /** Where the legend goes, in the panel's right-hand corner (top by default): away from the curves. */
  legend?: 'top' | 'bottom';
}

const W = 760, PANEL_H = 250;
const LEFT = 84, RIGHT = 24, TOP = 92, GAP = 64, BOTTOM = 60;
const INK: Color = [30, 30, 30];
const GRID: Color = [222, 222, 222];

/** A step that gives 4–8 ticks over `span`. */
function tickStep(span: number): number {
  const raw = span / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => span / s <= 8)!;
}

/** `subtitle` goes under the title in smaller letters (the model, the settings). */
export function learningCurvePlot(title: string, subtitle: string, epochs: number, panels: readonly CurvePanel[]): Canvas {
  const H = TOP + panels.length * PANEL_H + (panels.length - 1) * GAP + BOTTOM;
  const c = new Canvas(W, H);
  const pw = W - LEFT - RIGHT;
  const x = (e: number) => LEFT + (e / epochs) * pw;
  c.text((W - textWidth(title)) / 2, 14, title, INK);
  // The subtitle wraps at commas onto a second line when it is wider than the figure.
  const lines: string[] = [];
  for (const part of subtitle.split(', ')) {
    const last = lines.length - 1;
    if (last >= 0 && textWidth(`${lines[last]}, ${part}`, 1) <= W - 16) lines[last] += `, ${part}`;
    else lines.push(part);
  }
  lines.slice(0, 2).forEach((line, k) => c.text((W - textWidth(line, 1)) / 2, 38 + 12 * k, line, INK, 1));
  panels.forEach((panel, i) => {
    const top = TOP + i * (PANEL_H + GAP);
    const ys = panel.series.flatMap((s) => s.points.map((p) => p[1]));
    let lo = panel.yMin ?? Math.min(...ys), hi = panel.yMax ?? Math.max(...ys);
    if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
    const step = tickStep(hi - lo);
    if (panel.yMin === undefined) lo = Math.floor(lo / step) * step;
    if (panel.yMax === undefined) hi = Math.ceil(hi / step) * step;
    const y = (v: number) => top + ((hi - v) / (hi - lo)) * PANEL_H;
    const digits = Math.max(0, -Math.floor(Math.log10(step)));
    for (let v = lo; v <= hi + step / 2; v += step) {
      c.line(LEFT, y(v), LEFT + pw, y(v), GRID);
      const label = v.toFixed(digits);
      c.text(LEFT - 12 - textWidth(label), y(v) - TEXT_HEIGHT, label, INK);
    }
    const eStep = Math.max(1, tickStep(epochs));
    for (let e = 0; e <= epochs; e += eStep) {
      c.line(x(e), top + PANEL_H, x(e), top + PANEL_H + 6, INK);
      c.text(x(e) - textWidth(String(e)) / 2, top + PANEL_H + 12, String(e), INK);
    }
    c.line(LEFT, top, LEFT, top + PANEL_H, INK, 2);
    c.line(LEFT, top + PANEL_H, LEFT + pw, top + PANEL_H, INK, 2);
    c.text(LEFT, top - 24, panel.yLabel, INK);
    for (const s of panel.series) {
      const clamp = (v: number) => y(Math.min(hi, Math.max(lo, v)));
      for (let k = 1; k < s.points.length; k++) c.line(x(s.points[k - 1]![0]), clamp(s.points[k - 1]![1]), x(s.points[k]![0]), clamp(s.points[k]![1]), s.color, s.width ?? 2);
      // A lone point (a final figure) is a square mark.
      if (s.points.length === 1) c.rect(x(s.points[0]![0]) - 5, clamp(s.points[0]![1]) - 5, 11, 11, s.color);
    }
    // Legend at the right of the panel.
    const listed = panel.series.filter((s) => s.label);
    const widest = Math.max(...listed.map((s) => textWidth(s.label)));
    const first = panel.legend === 'bottom' ? top + PANEL_H - 10 - 22 * listed.length : top + 10;
    listed.forEach((s, k) => {
      const ly = first + 22 * k, lx = LEFT + pw - widest - 50;
      if (s.points.length === 1) c.rect(lx + 7, ly + TEXT_HEIGHT - 5, 11, 11, s.color);
      else c.line(lx, ly + TEXT_HEIGHT, lx + 24, ly + TEXT_HEIGHT, s.color, 3);
      c.text(lx + 34, ly, s.label, INK);
    });
  });
  const xLabel = 'EPOCH';
  c.text(LEFT + (pw - textWidth(xLabel)) / 2, H - 24, xLabel, INK);
  return c;
}
