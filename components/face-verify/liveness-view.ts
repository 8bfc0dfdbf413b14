/** What `<wv-face-verify liveness>` shows: the prompt of the moment, the steps, the time left, and the evidence (EAR and yaw curves). */
import { html, nothing, svg, type TemplateResult } from 'lit';
import type { LivenessChallenge } from '../../src/index.js';
import { styleProps } from '../style-props.js';
import type { CameraLivenessResult, LivenessProgress, LivenessStep } from './liveness-run.js';

export function turnText(side?: 'left' | 'right'): string {
  return side ? `Turn your head to your ${side}, then back` : 'Turn your head to one side, then back';
}

export function promptText(step: LivenessStep, turnSide?: 'left' | 'right'): string {
  return { look: 'Look straight at the camera', blink: 'Blink', turn: turnText(turnSide), done: 'Done: hold still' }[step];
}

const STEP_LABEL = (c: LivenessChallenge, turnSide?: 'left' | 'right') => (c === 'blink' ? 'Blink' : turnText(turnSide));

/**
 * The prompt box while a check runs (`p` null while the camera starts). What to do now is in an
 * assertive live region that stays in place as the prompts change; the countdown is outside it,
 * so that it is not read out four times a second.
 */
export function livenessPrompt(p: LivenessProgress | null, challenges: readonly LivenessChallenge[], timeLimitMs: number, turnSide?: 'left' | 'right'): TemplateResult {
  return html`
    <div part="liveness" class="liveness running">
      <div role="status" aria-live="assertive">
        ${p ? html`<p part="prompt" class="prompt" data-step=${p.step}>${promptText(p.step, turnSide)}</p>` : html`<p class="hint">Starting the camera…</p>`}
        ${p && p.frames > 0 && !p.face ? html`<p class="hint">No face in view: look at the camera, in good light.</p>` : nothing}
      </div>
      ${p
        ? html`<ol class="steps">
            ${challenges.map((c) => html`<li data-challenge=${c} class=${p.passed[c] ? 'done' : p.step === c ? 'current' : ''}>
              ${STEP_LABEL(c, turnSide)}${p.passed[c] ? html` <span aria-label="done">✓</span>` : nothing}</li>`)}
          </ol>
          <div class="time"><span part="time-left" data-ms=${p.timeLeftMs}>${Math.ceil(p.timeLeftMs / 1000)} s left</span>
            <div class="timebar" aria-hidden="true"><div class="left" ${styleProps({ width: `${(100 * p.timeLeftMs) / timeLimitMs}%` })}></div></div></div>`
        : nothing}
    </div>`;
}

const W = 300;
const H = 64;

/** One curve over time with horizontal guide lines (values in the same units), as an SVG. */
function plot(t: readonly number[], v: readonly (number | null)[], lines: { y: number; cls: string }[], label: string, cls: string) {
  const guides = lines.filter((g) => Number.isFinite(g.y));
  const values = [...v.filter((x): x is number => x !== null), ...guides.map((g) => g.y)];
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const span = hi - lo || 1;
  const t1 = Math.max(1, t.at(-1) ?? 1);
  const x = (ti: number) => ((ti / t1) * W).toFixed(1);
  const y = (vi: number) => (H - 4 - ((vi - lo) / span) * (H - 8)).toFixed(1);
  const points = t.map((ti, i) => (v[i] == null ? null : `${x(ti)},${y(v[i]!)}`)).filter(Boolean).join(' ');
  return html`<svg part="evidence-plot" class="plot ${cls}" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label=${label}>
    ${guides.map((g) => svg`<line class=${g.cls} x1="0" x2=${W} y1=${y(g.y)} y2=${y(g.y)}></line>`)}
    <polyline points=${points}></polyline>
    ${t.map((ti, i) => (v[i] == null ? nothing : svg`<circle cx=${x(ti)} cy=${y(v[i]!)} r="2"></circle>`))}
  </svg>`;
}

/** The verdict of a check with its evidence: what passed, why, and the EAR and yaw curves it was read from. */
export function livenessEvidence(r: CameraLivenessResult, closedRatio = 0.75, turnThreshold = 0.12): TemplateResult {
  const e = r.evidence;
  const ears = e.ear.filter((x): x is number => x !== null);
  const yaws = e.yaw.filter((x): x is number => x !== null);
  const turn = yaws.length ? Math.max(...yaws.map((y) => Math.abs(y - e.baselineYaw))) : 0;
  return html`
    <div part="liveness-result" class="liveness-result ${r.live ? 'live' : 'not-live'}" data-live=${String(r.live)}>
      <p class="verdict-line">${r.live ? 'Liveness check passed' : 'Liveness check failed'}</p>
      <ul class="passed">
        ${r.challenges.map((c) => html`<li data-challenge=${c} data-passed=${String(!!r.passed[c])}>${r.passed[c] ? '✓' : '✗'} ${STEP_LABEL(c, r.turnSide)}</li>`)}
      </ul>
      <p class="reason">${r.reason}</p>
      <details class="evidence">
        <summary>Evidence: ${r.frames} frames in ${((e.t.at(-1) ?? 0) / 1000).toFixed(1)} s</summary>
        <p class="curve-label">Eye aspect ratio: baseline ${e.baselineEar.toFixed(3)}, lowest ${ears.length ? Math.min(...ears).toFixed(3) : '–'} (closed below ${(closedRatio * e.baselineEar).toFixed(3)})</p>
        ${plot(e.t, e.ear, [{ y: e.baselineEar, cls: 'baseline' }, { y: closedRatio * e.baselineEar, cls: 'limit' }], 'Eye aspect ratio per frame', 'ear')}
        <p class="curve-label">Head yaw: start ${e.baselineYaw.toFixed(3)}, largest turn ${turn.toFixed(3)} (counts from ${turnThreshold})</p>
        ${plot(e.t, e.yaw, [{ y: e.baselineYaw, cls: 'baseline' }, { y: e.baselineYaw + turnThreshold, cls: 'limit' }, { y: e.baselineYaw - turnThreshold, cls: 'limit' }], 'Head yaw per frame', 'yaw')}
        <p class="curve-label">Same face throughout: largest distance ${r.maxFaceDistance.toFixed(3)}; frames without a face ${(100 * e.missingFraction).toFixed(0)}%</p>
      </details>
    </div>`;
}
