import { css } from 'lit';

export const styles = css`
  :host {
    --wv-accent: #2f6fde;
    --wv-match: #1b8a3a;
    --wv-no-match: #c62828;
    --wv-radius: 12px;
    --wv-border: 1px solid #8885;
    --wv-surface: transparent;
    display: block;
    font-family: var(--wv-font, system-ui, sans-serif);
    color: inherit;
  }
  [part='panel'] { border: var(--wv-border); border-radius: var(--wv-radius); padding: 1rem; background: var(--wv-surface); }
  .photos { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 16rem), 1fr)); gap: 1rem; }
  [part~='dropzone'] {
    border: 2px dashed #8887; border-radius: var(--wv-radius); min-height: 14rem; padding: .75rem;
    display: flex; flex-direction: column; gap: .5rem; align-items: stretch; justify-content: center; text-align: center;
  }
  [part~='dropzone'].over { border-color: var(--wv-accent); background: color-mix(in srgb, var(--wv-accent) 8%, transparent); }
  canvas[part='preview'] { width: 100%; height: auto; border-radius: calc(var(--wv-radius) - 4px); cursor: pointer; }
  .actions { display: flex; gap: .5rem; justify-content: center; flex-wrap: wrap; }
  button, [part~='button'] {
    font: inherit; border: 0; border-radius: 8px; padding: .45rem .9rem; background: var(--wv-accent); color: white; cursor: pointer;
  }
  button.secondary { background: transparent; color: var(--wv-accent); border: 1px solid var(--wv-accent); }
  button:disabled { opacity: .5; cursor: default; }
  .hint { font-size: .85rem; opacity: .75; margin: 0; }
  [part='verdict'] { margin-top: 1rem; padding: .75rem 1rem; border-radius: var(--wv-radius); font-weight: 600; font-size: 1.1rem; }
  [part='verdict'].match { background: color-mix(in srgb, var(--wv-match) 15%, transparent); color: var(--wv-match); }
  [part='verdict'].no-match { background: color-mix(in srgb, var(--wv-no-match) 12%, transparent); color: var(--wv-no-match); }
  [part='distance'] { position: relative; height: .6rem; background: #8883; border-radius: 1rem; margin: .5rem 0 .25rem; }
  [part='distance'] .fill { position: absolute; inset: 0 auto 0 0; border-radius: 1rem; background: currentColor; }
  [part='distance'] .tau { position: absolute; top: -.3rem; bottom: -.3rem; width: 2px; background: #000a; }
  .numbers { font-weight: 400; font-size: .9rem; }
  [part='progress'] { width: 100%; }
  [part='error'] { padding: .75rem 1rem; border-radius: var(--wv-radius); background: #c628281a; color: #c62828; font-weight: 600; }
  .identity { display: flex; flex-direction: column; gap: .5rem; }
  [part='people'] { list-style: none; margin: 0; padding: 0; display: grid; gap: .3rem; text-align: left; }
  [part='person'] { display: flex; align-items: center; gap: .5rem; padding: .2rem .2rem .2rem .5rem; border: var(--wv-border); border-radius: 8px; }
  [part='person'] .who { font-weight: 600; overflow-wrap: anywhere; }
  [part='person'] .count { font-size: .85rem; opacity: .75; margin-right: auto; white-space: nowrap; }
  [part='forget'] { padding: .2rem .6rem; font-size: .85rem; }
  select, input[type='text'] { font: inherit; padding: .4rem; border-radius: 8px; border: var(--wv-border); background: transparent; color: inherit; }
  video { width: 100%; border-radius: 8px; }
  [part~='examples'] { display: flex; gap: .4rem; flex-wrap: wrap; justify-content: center; }
  [part~='example'] {
    padding: 0; width: 4rem; height: 3rem; border-radius: 8px; overflow: hidden; border: 2px solid transparent;
    background: #8882; cursor: pointer; position: relative;
  }
  [part~='example'][data-role='enroll'] { width: auto; min-width: 8rem; height: 3rem; display: flex; align-items: center; gap: .4rem; padding-right: .6rem; color: inherit; }
  [part~='example'][data-role='enroll'] img { width: 2.6rem; flex: none; }
  [part~='example'] span { font-size: .85rem; white-space: nowrap; }
  [part~='example'][aria-pressed='true'] { border-color: var(--wv-accent); }
  [part~='example'] img { width: 100%; height: 100%; object-fit: cover; display: block; }
  .liveness { display: grid; gap: .35rem; text-align: left; }
  [part='prompt'] { margin: 0; font-size: 1.35rem; font-weight: 700; color: var(--wv-accent); text-align: center; }
  .steps { margin: 0; padding-left: 1.25rem; font-size: .9rem; }
  .steps li.current { font-weight: 700; }
  .steps li.done { opacity: .7; }
  .time { display: grid; grid-template-columns: auto 1fr; gap: .5rem; align-items: center; font-size: .85rem; font-variant-numeric: tabular-nums; }
  .timebar { height: .4rem; background: #8883; border-radius: 1rem; overflow: hidden; }
  .timebar .left { height: 100%; background: var(--wv-accent); }
  .liveness-result { text-align: left; padding: .5rem .75rem; border-radius: 8px; font-size: .9rem; }
  .liveness-result.live { background: color-mix(in srgb, var(--wv-match) 12%, transparent); }
  .liveness-result.not-live { background: color-mix(in srgb, var(--wv-no-match) 10%, transparent); }
  .liveness-result .verdict-line { margin: 0; font-weight: 700; }
  .liveness-result.live .verdict-line { color: var(--wv-match); }
  .liveness-result.not-live .verdict-line { color: var(--wv-no-match); }
  .liveness-result ul { margin: .25rem 0; padding-left: 1rem; list-style: none; }
  .liveness-result .reason, .curve-label { margin: .2rem 0; opacity: .85; }
  .curve-label { font-size: .8rem; }
  svg.plot { width: 100%; height: 4rem; background: #8881; border-radius: 6px; overflow: visible; }
  svg.plot polyline { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  svg.plot.ear polyline, svg.plot.ear circle { stroke: var(--wv-accent); fill: var(--wv-accent); }
  svg.plot.ear polyline { fill: none; }
  svg.plot.yaw polyline, svg.plot.yaw circle { stroke: #e0803a; fill: #e0803a; }
  svg.plot.yaw polyline { fill: none; }
  svg.plot line { stroke-width: 1; vector-effect: non-scaling-stroke; }
  svg.plot line.baseline { stroke: #8888; stroke-dasharray: 4 3; }
  svg.plot line.limit { stroke: var(--wv-no-match); stroke-dasharray: 2 3; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
`;
