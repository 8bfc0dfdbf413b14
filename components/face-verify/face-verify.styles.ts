import { css } from 'lit';
import { accent, baseStyles, border, matchColor, noMatchColor, radius } from '../shared/theme.js';

const own = css`
  .photos { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 16rem), 1fr)); gap: 1rem; }
  [part~='dropzone'] {
    border: 2px dashed #8887; border-radius: ${radius}; min-height: 14rem; padding: .75rem;
    display: flex; flex-direction: column; gap: .5rem; align-items: stretch; justify-content: center; text-align: center;
  }
  .photo { position: relative; line-height: 0; }
  canvas[part='preview'] { width: 100%; height: auto; border-radius: calc(${radius} - 4px); }
  [part='faces'] { position: absolute; inset: 0; }
  [part~='face'] {
    position: absolute; padding: 0; margin: 0; background: transparent; border: 0; border-radius: 4px; cursor: pointer;
  }
  [part~='face']:focus-visible { outline: 3px solid ${accent}; outline-offset: 2px; box-shadow: 0 0 0 5px #fffc; }
  .actions { display: flex; gap: .5rem; justify-content: center; flex-wrap: wrap; }
  [part='verdict'] { margin-top: 1rem; padding: .75rem 1rem; border-radius: ${radius}; font-weight: 600; font-size: 1.1rem; }
  [part='verdict'].match { background: color-mix(in srgb, ${matchColor} 15%, transparent); color: ${matchColor}; }
  [part='verdict'].no-match { background: color-mix(in srgb, ${noMatchColor} 12%, transparent); color: ${noMatchColor}; }
  [part='distance'] { position: relative; height: .6rem; background: #8883; border-radius: 1rem; margin: .5rem 0 .25rem; }
  [part='distance'] .fill { position: absolute; inset: 0 auto 0 0; border-radius: 1rem; background: currentColor; }
  [part='distance'] .tau { position: absolute; top: -.3rem; bottom: -.3rem; width: 2px; background: #000a; }
  .numbers { font-weight: 400; font-size: .9rem; }
  [part='progress'] { width: 100%; }
  .alerts [part~='error'] { margin-top: 1rem; }
  .identity { display: flex; flex-direction: column; gap: .5rem; }
  [part='people'] { list-style: none; margin: 0; padding: 0; display: grid; gap: .3rem; text-align: left; }
  [part='person'] { display: flex; align-items: center; gap: .5rem; padding: .2rem .2rem .2rem .5rem; border: ${border}; border-radius: 8px; }
  [part='person'] .who { font-weight: 600; overflow-wrap: anywhere; }
  [part='person'] .count { font-size: .85rem; opacity: .75; margin-right: auto; white-space: nowrap; }
  [part='forget'] { padding: .2rem .6rem; font-size: .85rem; }
  video { width: 100%; border-radius: 8px; }
  [part~='examples'] { justify-content: center; }
  [part~='example'] { width: 4rem; height: 3rem; position: relative; }
  [part~='example'][data-role='enroll'] { width: auto; min-width: 8rem; height: 3rem; display: flex; align-items: center; gap: .4rem; padding-right: .6rem; color: inherit; }
  [part~='example'][data-role='enroll'] img { width: 2.6rem; flex: none; }
  [part~='example'] span { font-size: .85rem; white-space: nowrap; }
  .liveness { display: grid; gap: .35rem; text-align: left; }
  [part='prompt'] { margin: 0; font-size: 1.35rem; font-weight: 700; color: ${accent}; text-align: center; }
  .steps { margin: 0; padding-left: 1.25rem; font-size: .9rem; }
  .steps li.current { font-weight: 700; }
  .steps li.done { opacity: .7; }
  .time { display: grid; grid-template-columns: auto 1fr; gap: .5rem; align-items: center; font-size: .85rem; font-variant-numeric: tabular-nums; }
  .timebar { height: .4rem; background: #8883; border-radius: 1rem; overflow: hidden; }
  .timebar .left { height: 100%; background: ${accent}; }
  .liveness-result { text-align: left; padding: .5rem .75rem; border-radius: 8px; font-size: .9rem; }
  .liveness-result.live { background: color-mix(in srgb, ${matchColor} 12%, transparent); }
  .liveness-result.not-live { background: color-mix(in srgb, ${noMatchColor} 10%, transparent); }
  .liveness-result .verdict-line { margin: 0; font-weight: 700; }
  .liveness-result.live .verdict-line { color: ${matchColor}; }
  .liveness-result.not-live .verdict-line { color: ${noMatchColor}; }
  .liveness-result ul { margin: .25rem 0; padding-left: 1rem; list-style: none; }
  .liveness-result .reason, .curve-label { margin: .2rem 0; opacity: .85; }
  .curve-label { font-size: .8rem; }
  svg.plot { width: 100%; height: 4rem; background: #8881; border-radius: 6px; overflow: visible; }
  svg.plot polyline { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
  svg.plot.ear polyline, svg.plot.ear circle { stroke: ${accent}; fill: ${accent}; }
  svg.plot.ear polyline { fill: none; }
  svg.plot.yaw polyline, svg.plot.yaw circle { stroke: #e0803a; fill: #e0803a; }
  svg.plot.yaw polyline { fill: none; }
  svg.plot line { stroke-width: 1; vector-effect: non-scaling-stroke; }
  svg.plot line.baseline { stroke: #8888; stroke-dasharray: 4 3; }
  svg.plot line.limit { stroke: ${noMatchColor}; stroke-dasharray: 2 3; }
`;

export const styles = [baseStyles, own];
