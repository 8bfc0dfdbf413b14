import { css } from 'lit';
import { accent, baseStyles, border, radius } from '../shared/theme.js';

const plotJ = css`var(--wv-plot-j, ${accent})`;
const plotStyle = css`var(--wv-plot-style, #d9480f)`;
const plotContent = css`var(--wv-plot-content, #2b8a3e)`;

const own = css`
  .layout { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 1.25rem; }
  .column { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
  .pickers { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
  [part~='picker'] { display: flex; flex-direction: column; gap: .4rem; min-width: 0; }
  .role { font-weight: 600; font-size: .9rem; margin: 0; }
  [part~='dropzone'] {
    position: relative; aspect-ratio: 4 / 3; border: 2px dashed #8887; border-radius: ${radius};
    display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .35rem;
    text-align: center; overflow: hidden; padding: .5rem; cursor: pointer;
  }
  [part~='dropzone'].filled { border-style: solid; border-color: #8884; padding: 0; }
  [part~='dropzone'].bad { border-color: #c62828; }
  [part~='dropzone']:focus-within { outline: 2px solid ${accent}; outline-offset: 2px; }
  [part~='dropzone'] img.chosen { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
  [part~='dropzone'] .change {
    position: absolute; right: .4rem; bottom: .4rem; font-size: .8rem; padding: .25rem .6rem; border-radius: 6px;
    background: #000a; color: white;
  }
  [part~='examples'] { gap: .35rem; }
  .controls { display: grid; gap: .6rem; }
  .slider { display: grid; grid-template-columns: 1fr auto; align-items: center; gap: .1rem .75rem; font-size: .9rem; }
  .slider input { grid-column: 1 / -1; width: 100%; margin: 0; accent-color: ${accent}; min-height: 1.75rem; }
  .slider output { font-variant-numeric: tabular-nums; opacity: .8; }
  .ends { grid-column: 1 / -1; display: flex; justify-content: space-between; font-size: .75rem; opacity: .6; margin-top: -.2rem; }
  details { font-size: .9rem; }
  details summary { cursor: pointer; opacity: .8; }
  details .more { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem .75rem; margin-top: .5rem; }
  details label { display: flex; flex-direction: column; gap: .2rem; }
  label.check { flex-direction: row; align-items: center; gap: .4rem; }
  .actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  button, [part~='button'] {
    padding: .5rem 1rem; text-decoration: none; display: inline-flex; align-items: center; justify-content: center; min-height: 2.5rem;
  }
  [part~='result'] {
    position: relative; border-radius: ${radius}; overflow: hidden; background: #8881; border: ${border};
    display: flex; align-items: center; justify-content: center; min-height: 12rem;
  }
  canvas[part='preview'] { display: block; width: 100%; height: auto; }
  canvas[part='preview'].empty { display: none; }
  .placeholder { padding: 1rem; text-align: center; opacity: .65; font-size: .9rem; }
  [part='progress'] { width: 100%; height: .6rem; accent-color: ${accent}; }
  .stats { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; font-variant-numeric: tabular-nums; }
  .stats .key { display: inline-block; width: .7rem; height: .2rem; border-radius: 1px; vertical-align: middle; margin-right: .3rem; }
  [part='plot'] { width: 100%; height: 4.5rem; display: block; background: #8881; border-radius: 8px; padding: .25rem; overflow: visible; }
  [part='plot'] polyline { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
  .J { stroke: ${plotJ}; background: ${plotJ}; }
  .Jstyle { stroke: ${plotStyle}; background: ${plotStyle}; }
  .Jcontent { stroke: ${plotContent}; background: ${plotContent}; }
  .picker-error { font-size: .8rem; padding: .4rem .6rem; font-weight: 500; }
  .notice { padding: .6rem .9rem; border-radius: ${radius}; background: #8882; font-size: .9rem; }
  @media (max-width: 30rem) {
    [part='panel'] { padding: .75rem; }
    .pickers { gap: .5rem; }
  }
`;

export const styles = [baseStyles, own];
