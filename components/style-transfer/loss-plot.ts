import { html, type TemplateResult } from 'lit';

export interface LossPoint { J: number; Jcontent: number; Jstyle: number }

const WIDTH = 300;
const HEIGHT = 80;

/** Polyline points of one series on a log scale shared by all series. */
function line(values: number[], count: number, lo: number, hi: number): string {
  const x = (i: number) => (count > 1 ? (i / (count - 1)) * WIDTH : 0);
  const y = (v: number) => HEIGHT - ((Math.log10(Math.max(v, 1e-30)) - lo) / (hi - lo || 1)) * (HEIGHT - 4) - 2;
  return values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}

/** A small log-scale plot of J, Jstyle and Jcontent over the steps so far. */
export function lossPlot(history: readonly LossPoint[], iterations: number): TemplateResult {
  const all = history.flatMap((p) => [p.J, p.Jcontent, p.Jstyle]).filter((v) => v > 0 && Number.isFinite(v));
  const lo = all.length ? Math.log10(Math.min(...all)) : 0;
  const hi = all.length ? Math.log10(Math.max(...all)) : 1;
  const count = Math.max(iterations, history.length, 2);
  const series = (key: keyof LossPoint) => line(history.map((p) => p[key]), count, lo, hi);
  return html`
    <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" part="plot" role="img"
      aria-label="Loss per iteration, log scale">
      <polyline class="J" points=${series('J')} />
      <polyline class="Jstyle" points=${series('Jstyle')} />
      <polyline class="Jcontent" points=${series('Jcontent')} />
    </svg>`;
}
