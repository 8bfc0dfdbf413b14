/**
 * The ROC figure of `npm run eval:lfw`: TAR against FAR on a log axis from 1e-3 to 1, one curve
 * per pair set, drawn into RGBA pixels (encodePNG writes them). The TAR axis starts at the tenth
 * below the lowest TAR on the plot, so a good curve does not hug its top edge.
 */
import { tarAtFar, type RocPoint } from '../../src/tasks/face/calibration.js';
import { Canvas, TEXT_HEIGHT, textWidth, type Color } from './lfw-pixel-font.js';

export interface RocSeries {
  label: string;
  roc: readonly RocPoint[];
  color: Color;
}

const W = 720, H = 540;
const LEFT = 78, RIGHT = 24, TOP = 46, BOTTOM = 64;
const MIN_LOG_FAR = -3;
const INK: Color = [30, 30, 30];
const GRID: Color = [222, 222, 222];

export function rocPlot(title: string, series: readonly RocSeries[]): Canvas {
  const c = new Canvas(W, H);
  const pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
  // FAR below 1e-3 (0 included) sits on the left edge: the curve starts there at its TAR.
  const x = (far: number) => LEFT + ((Math.max(MIN_LOG_FAR, Math.log10(Math.max(far, 1e-12))) - MIN_LOG_FAR) / -MIN_LOG_FAR) * pw;
  const lowest = Math.min(...series.map((s) => tarAtFar(s.roc, 10 ** MIN_LOG_FAR).tar));
  const yMin = Math.min(0.9, Math.floor(lowest * 10) / 10);
  // TAR below the axis (the curve's start at 0) is drawn on it.
  const y = (tar: number) => TOP + ((1 - Math.max(tar, yMin)) / (1 - yMin)) * ph;
  const step = 1 - yMin <= 0.2 ? 0.02 : 1 - yMin <= 0.5 ? 0.05 : 0.1;

  const xTicks: [number, string][] = [[1e-3, '1E-3'], [1e-2, '0.01'], [1e-1, '0.1'], [1, '1']];
  for (let d = MIN_LOG_FAR; d < 0; d++) for (let m = 2; m < 10; m++) c.line(x(m * 10 ** d), y(yMin), x(m * 10 ** d), y(yMin) + 4, INK); // minor ticks
  for (const [far, label] of xTicks) {
    c.line(x(far), y(1), x(far), y(yMin), GRID);
    c.line(x(far), y(yMin), x(far), y(yMin) + 8, INK);
    c.text(x(far) - textWidth(label) / 2, y(yMin) + 14, label, INK);
  }
  const ticks = Math.round((1 - yMin) / step);
  for (let k = 0; k <= 2 * ticks; k++) {
    const tar = yMin + (k * step) / 2;
    if (k % 2 === 0) {
      c.line(x(1e-3), y(tar), x(1), y(tar), GRID);
      const label = tar.toFixed(step < 0.1 ? 2 : 1);
      c.text(LEFT - 12 - textWidth(label), y(tar) - TEXT_HEIGHT, label, INK);
    }
    c.line(LEFT - (k % 2 ? 4 : 8), y(tar), LEFT, y(tar), INK);
  }
  c.line(LEFT, TOP, LEFT, TOP + ph, INK, 2);
  c.line(LEFT, TOP + ph, LEFT + pw, TOP + ph, INK, 2);

  c.text((W - textWidth(title)) / 2, 14, title, INK);
  const xLabel = 'FALSE ACCEPT RATE (LOG)';
  c.text(LEFT + (pw - textWidth(xLabel)) / 2, H - 22, xLabel, INK);
  c.text(8, TOP - 26, 'TAR', INK);

  series.forEach((s, i) => {
    for (let k = 1; k < s.roc.length; k++) c.line(x(s.roc[k - 1]!.far), y(s.roc[k - 1]!.tar), x(s.roc[k]!.far), y(s.roc[k]!.tar), s.color, 2);
    // Legend, bottom right inside the axes (a good curve stays near the top).
    const ly = TOP + ph - 24 - 22 * (series.length - 1 - i);
    const lx = LEFT + pw - 20 - Math.max(...series.map((t) => textWidth(t.label))) - 34;
    c.line(lx, ly + TEXT_HEIGHT, lx + 24, ly + TEXT_HEIGHT, s.color, 3);
    c.text(lx + 34, ly, s.label, INK);
  });
  return c;
}
