import { css } from 'lit';

export const styles = css`
  :host {
    --wv-accent: #2f6fde;
    --wv-radius: 12px;
    --wv-border: 1px solid #8885;
    --wv-surface: transparent;
    --wv-plot-j: var(--wv-accent);
    --wv-plot-style: #d9480f;
    --wv-plot-content: #2b8a3e;
    display: block;
    font-family: var(--wv-font, system-ui, sans-serif);
    color: inherit;
  }
  * { box-sizing: border-box; }
  [part='panel'] { border: var(--wv-border); border-radius: var(--wv-radius); padding: 1rem; background: var(--wv-surface); }
  .layout { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 20rem), 1fr)); gap: 1.25rem; }
  .column { display: flex; flex-direction: column; gap: 1rem; min-width: 0; }
  .pickers { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
  [part~='picker'] { display: flex; flex-direction: column; gap: .4rem; min-width: 0; }
  .role { font-weight: 600; font-size: .9rem; margin: 0; }
  [part~='dropzone'] {
    position: relative; aspect-ratio: 4 / 3; border: 2px dashed #8887; border-radius: var(--wv-radius);
    display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .35rem;
    text-align: center; overflow: hidden; padding: .5rem; cursor: pointer;
  }
  [part~='dropzone'].filled { border-style: solid; border-color: #8884; padding: 0; }
  [part~='dropzone'].over { border-color: var(--wv-accent); background: color-mix(in srgb, var(--wv-accent) 8%, transparent); }
  [part~='dropzone'].bad { border-color: #c62828; }
  [part~='dropzone']:focus-within { outline: 2px solid var(--wv-accent); outline-offset: 2px; }
  [part~='dropzone'] img.chosen { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; }
  [part~='dropzone'] .change {
    position: absolute; right: .4rem; bottom: .4rem; font-size: .8rem; padding: .25rem .6rem; border-radius: 6px;
    background: #000a; color: white;
  }
  [part~='examples'] { display: flex; gap: .35rem; flex-wrap: wrap; }
  [part~='example'] {
    padding: 0; width: 2.75rem; height: 2.75rem; border-radius: 8px; overflow: hidden; border: 2px solid transparent;
    background: #8882; cursor: pointer;
  }
  [part~='example'][aria-pressed='true'] { border-color: var(--wv-accent); }
  [part~='example'] img { width: 100%; height: 100%; object-fit: cover; display: block; }
  .controls { display: grid; gap: .6rem; }
  .slider { display: grid; grid-template-columns: 1fr auto; align-items: center; gap: .1rem .75rem; font-size: .9rem; }
  .slider input { grid-column: 1 / -1; width: 100%; margin: 0; accent-color: var(--wv-accent); min-height: 1.75rem; }
  .slider output { font-variant-numeric: tabular-nums; opacity: .8; }
  .ends { grid-column: 1 / -1; display: flex; justify-content: space-between; font-size: .75rem; opacity: .6; margin-top: -.2rem; }
  details { font-size: .9rem; }
  details summary { cursor: pointer; opacity: .8; }
  details .more { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: .5rem .75rem; margin-top: .5rem; }
  details label { display: flex; flex-direction: column; gap: .2rem; }
  select, input[type='number'] { font: inherit; padding: .35rem; border-radius: 8px; border: var(--wv-border); background: transparent; color: inherit; }
  label.check { flex-direction: row; align-items: center; gap: .4rem; }
  .actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  button, [part~='button'] {
    font: inherit; border: 0; border-radius: 8px; padding: .5rem 1rem; background: var(--wv-accent); color: white; cursor: pointer;
    text-decoration: none; display: inline-flex; align-items: center; justify-content: center; min-height: 2.5rem;
  }
  .secondary { background: transparent; color: var(--wv-accent); border: 1px solid var(--wv-accent); }
  button:disabled, [part~='button'][aria-disabled='true'] { opacity: .45; cursor: default; pointer-events: none; }
  [part~='result'] {
    position: relative; border-radius: var(--wv-radius); overflow: hidden; background: #8881; border: var(--wv-border);
    display: flex; align-items: center; justify-content: center; min-height: 12rem;
  }
  canvas[part='preview'] { display: block; width: 100%; height: auto; }
  canvas[part='preview'].empty { display: none; }
  .placeholder { padding: 1rem; text-align: center; opacity: .65; font-size: .9rem; }
  [part='progress'] { width: 100%; height: .6rem; accent-color: var(--wv-accent); }
  .stats { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .85rem; font-variant-numeric: tabular-nums; }
  .stats .key { display: inline-block; width: .7rem; height: .2rem; border-radius: 1px; vertical-align: middle; margin-right: .3rem; }
  [part='plot'] { width: 100%; height: 4.5rem; display: block; background: #8881; border-radius: 8px; padding: .25rem; overflow: visible; }
  [part='plot'] polyline { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
  .J { stroke: var(--wv-plot-j); background: var(--wv-plot-j); }
  .Jstyle { stroke: var(--wv-plot-style); background: var(--wv-plot-style); }
  .Jcontent { stroke: var(--wv-plot-content); background: var(--wv-plot-content); }
  .hint { font-size: .85rem; opacity: .75; margin: 0; }
  [part~='error'] { padding: .6rem .9rem; border-radius: var(--wv-radius); background: #c628281a; color: #c62828; font-weight: 600; font-size: .9rem; }
  .picker-error { font-size: .8rem; padding: .4rem .6rem; font-weight: 500; }
  .notice { padding: .6rem .9rem; border-radius: var(--wv-radius); background: #8882; font-size: .9rem; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (max-width: 30rem) {
    [part='panel'] { padding: .75rem; }
    .pickers { gap: .5rem; }
  }
`;
