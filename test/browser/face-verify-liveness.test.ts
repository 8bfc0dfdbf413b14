// <wv-face-verify liveness> over a camera that is a canvas (getUserMedia answers with its
// captureStream), with a stand-in recognizer that reads the pose from the frame's colour and
// answers synthetic 68-point landmarks for it: the prompts, the order of the steps, the turn side
// asked for, and the failures (a wrong turn, a face that changes, the camera refused).
import '../../components/face-verify/face-verify.js';
import type { FaceVerify } from '../../components/face-verify/face-verify.js';
import { assertAccessible } from './a11y.js';
import type { Point } from '../../src/nn/boxes.js';
import type { DescribedFace, FaceRecognizerLike } from '../../src/tasks/face/types.js';
import { nextEvent as next } from './next-event.js';
import { assert, assertEqual } from '../util/assert.js';

/** Eyes' openness, head yaw (or `turn`: yaw towards the side the prompt on screen names), and who it is. */
interface Pose { open?: number; yaw?: number; turn?: number; person?: number }

/** Landmarks of a level face 120 px wide: EAR 0.3·open, yaw exactly `yaw` (nose along the eye line). */
function landmarks({ open = 1, yaw = 0 }: Pose): Point[] {
  const p: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: 100 + 20 * Math.sin(i), y: 160 + 10 * Math.cos(i) }));
  p[0] = { x: 40, y: 100 };
  p[16] = { x: 160, y: 100 };
  for (const [start, cx] of [[36, 70], [42, 130]] as const) {
    const h = 4.5 * open;
    [[-15, 0], [-5, -h], [5, -h], [15, 0], [5, h], [-5, h]].forEach(([dx, dy], k) => (p[start + k] = { x: cx + dx!, y: 90 + dy! }));
  }
  p[30] = { x: 100 + yaw * 120, y: 120 };
  return p;
}

/**
 * A camera showing `poses` (at most 10) in turn: pose i is a canvas filled with red 24·i + 12, held until the
 * stand-in has analysed it `hold` times; `describe` waits `frameMs` a frame, as a GPU would.
 */
function rig(poses: Pose[], { hold = 1, frameMs = 70 } = {}) {
  if (poses.length > 10) throw new RangeError('a rig shows at most 10 poses');
  let prompt = () => '';
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 48;
  const g = canvas.getContext('2d')!;
  let current = 0;
  let seen = 0;
  const paint = () => {
    g.fillStyle = `rgb(${24 * current + 12}, 0, 0)`;
    g.fillRect(0, 0, 64, 48);
  };
  paint();
  const stream = canvas.captureStream(60);
  const keep = setInterval(paint, 15); // captureStream sends frames when the canvas is drawn
  const read = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true })!;
  const people: Map<string, Float32Array[]> = new Map();
  const recognizer: FaceRecognizerLike<unknown> = {
    adapter: 'stand-in',
    describe: async (image) => {
      await new Promise((r) => setTimeout(r, frameMs));
      read.drawImage(image as ImageBitmap, 0, 0, 1, 1);
      const index = Math.round((read.getImageData(0, 0, 1, 1).data[0]! - 12) / 24);
      const shown = poses[Math.min(poses.length - 1, Math.max(0, index))]!;
      // Like a person reading the prompt: the person's own right is a negative yaw.
      const pose = shown.turn === undefined ? shown : { ...shown, yaw: shown.turn * (/your right/.test(prompt()) ? -1 : 1) };
      if (index === current && ++seen >= hold && current < poses.length - 1) {
        current++;
        seen = 0;
        paint();
      }
      const box = { x: 10, y: 10, width: 40, height: 30 };
      const face: DescribedFace = { box, alignedBox: box, score: 0.99, landmarks: landmarks(pose), descriptor: new Float32Array(128).fill(0.1 + 0.1 * (pose.person ?? 0)) };
      return [face];
    },
    gallery: {
      list: async () => [...people].map(([id, d]) => ({ id, descriptors: d.length })),
      enroll: async (id, ds) => void people.set(id, ds.map((d) => Float32Array.from(d))),
      forget: async (id) => people.delete(id),
      descriptorsOf: async (id) => people.get(id) ?? [],
    },
  };
  return { recognizer, stream, stop: () => clearInterval(keep), follow: (el: FaceVerify) => (prompt = () => shadowText(el, '[part=prompt]') ?? '') };
}


const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);

async function mount(attrs: string, recognizer: FaceRecognizerLike<unknown>, camera: () => Promise<MediaStream>, options = {}): Promise<FaceVerify> {
  navigator.mediaDevices.getUserMedia = camera;
  const host = document.createElement('div');
  host.innerHTML = `<wv-face-verify ${attrs}></wv-face-verify>`;
  const el = host.firstElementChild as FaceVerify;
  el.recognizer = recognizer as FaceRecognizerLike<never>;
  el.livenessOptions = options;
  const ready = next(el, 'wv-ready');
  document.body.append(host);
  await ready;
  await el.updateComplete;
  return el;
}

const shadowText = (el: FaceVerify, selector: string) => el.shadowRoot!.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
const cameraButton = (el: FaceVerify) => el.shadowRoot!.querySelector<HTMLButtonElement>('button[data-camera=a]')!;

/** Clicks Camera on photo A and records each prompt shown (deduplicated in order) until the check ends. */
async function runCheck(el: FaceVerify, onPrompt?: (prompt: string) => void) {
  const prompts: string[] = [];
  const done = next<{ live: boolean; reason: string; passed: Record<string, boolean>; turnSide?: string; maxFaceDistance: number }>(el, 'wv-liveness');
  const watch = () => {
    const p = shadowText(el, '[part=prompt]');
    if (p && prompts.at(-1) !== p) {
      prompts.push(p);
      onPrompt?.(p);
    }
  };
  // Checked at the first frame (a failure there is kept and thrown once the check ends).
  let underWay: Promise<void> | null = null;
  el.addEventListener('wv-liveness-progress', () => void el.updateComplete.then(watch));
  el.addEventListener('wv-liveness-progress', () => void (underWay ??= el.updateComplete.then(() => {
    // While the check runs: its prompt is said in an assertive live region, which holds nothing that ticks.
    const region = el.shadowRoot!.querySelector('[part=prompt]')?.closest('[aria-live=assertive]');
    assert(region && !region.querySelector('[part=time-left]'), 'the prompt is in an assertive live region without the countdown');
    assertAccessible(el, 'a liveness check under way', { liveRegions: 4 });
  })));
  cameraButton(el).click();
  const result = (await done).detail;
  await el.updateComplete;
  assert(underWay, 'the check was seen under way');
  await underWay;
  assertAccessible(el, 'a liveness check ended', { liveRegions: 3 });
  return { result, prompts };
}

describe('<wv-face-verify liveness> on a canvas camera with a stand-in recognizer', () => {
  let stop = () => {};
  afterEach(() => {
    stop();
    navigator.mediaDevices.getUserMedia = realGetUserMedia;
    document.querySelectorAll('wv-face-verify').forEach((e) => e.parentElement!.remove());
  });

  it('asks to look, blink, then turn to the side it names and back; passes, keeps a frame of the check as photo A, and the verdict says A is live', async () => {
    // The turn is done towards the side the prompt names (chosen at random by the element).
    const camera = rig([{}, {}, {}, { open: 0.2 }, {}, {}, { turn: 0.2 }, { turn: 0.22 }, { yaw: 0 }, {}], { hold: 1 });
    stop = camera.stop;
    const el = await mount('liveness', camera.recognizer, async () => camera.stream);
    camera.follow(el);
    const { result, prompts } = await runCheck(el);
    assert(result.live, result.reason);
    assertEqual(result.passed, { blink: true, turn: true });
    assert(result.turnSide === 'left' || result.turnSide === 'right', `a side was asked for: ${result.turnSide}`);
    assertEqual(prompts, ['Look straight at the camera', 'Blink', `Turn your head to your ${result.turnSide}, then back`, 'Done: hold still'], 'prompts in order');
    assert(el.shadowRoot!.querySelector('canvas[data-side=a]'), 'photo A is set');
    assertEqual(shadowText(el, '[part=liveness-result] .verdict-line'), 'Liveness check passed');
    assert(!el.shadowRoot!.querySelector('video'), 'the camera is closed');
  });

  it('a turn to the other side than asked fails, names both sides, and offers Try again with the camera still open', async () => {
    const camera = rig([{}, {}, {}, { open: 0.2 }, {}, { yaw: -0.25 }, { yaw: 0 }, {}], { hold: 1 }); // turns right
    stop = camera.stop;
    const el = await mount('liveness', camera.recognizer, async () => camera.stream, { turnSide: 'left', timeLimitMs: 1500 });
    const { result, prompts } = await runCheck(el);
    assertEqual([result.live, result.passed], [false, { blink: true, turn: false }]);
    assert(/turned right, not left within 1500 ms/.test(result.reason), result.reason);
    assert(prompts.includes('Turn your head to your left, then back'), prompts.join(' | '));
    assertEqual(shadowText(el, '[part=liveness-result] .verdict-line'), 'Liveness check failed');
    assert(/✗ Turn your head to your left/.test(shadowText(el, '[part=liveness-result] .passed')!), 'the failed step is marked');
    assert(el.shadowRoot!.querySelector('video') && !el.shadowRoot!.querySelector('canvas[data-side=a]'), 'camera open, no photo');
    assert([...el.shadowRoot!.querySelectorAll('button')].some((b) => b.textContent!.trim() === 'Try again'), 'Try again offered');
  });

  it('the time left counts down while the check runs, and a blink-only check never asks to turn', async () => {
    const camera = rig([{}], { frameMs: 120 });
    stop = camera.stop;
    const el = await mount('liveness="blink"', camera.recognizer, async () => camera.stream, { timeLimitMs: 1600 });
    const left: number[] = [];
    const steps = new Set<string>();
    el.addEventListener('wv-liveness-progress', () => void el.updateComplete.then(() => {
      const t = el.shadowRoot!.querySelector<HTMLElement>('[part=time-left]');
      if (t) left.push(Number(t.dataset.ms));
      el.shadowRoot!.querySelectorAll('.steps li').forEach((li) => steps.add(li.getAttribute('data-challenge')!));
    }));
    const { result, prompts } = await runCheck(el);
    assertEqual([result.live, result.reason], [false, 'no blink within 1600 ms']);
    assert(left.length >= 4 && left.every((t, i) => i === 0 || t <= left[i - 1]!) && left[0]! > left.at(-1)!, `counting down: ${left.join(' ')}`);
    assertEqual(prompts, ['Look straight at the camera', 'Blink']);
    assertEqual([...steps], ['blink'], 'the steps listed');
  });

  it('a different face during the check fails it, even when the challenges pass', async () => {
    const camera = rig([{}, {}, {}, { open: 0.2 }, { person: 5 }, { person: 5 }], { hold: 1 });
    stop = camera.stop;
    const el = await mount('liveness="blink"', camera.recognizer, async () => camera.stream);
    const { result } = await runCheck(el);
    assertEqual([result.live, result.passed], [false, { blink: true }]);
    assert(/a different face appeared during the check \(distance \d+\.\d+ > 0\.6\)/.test(result.reason) && result.maxFaceDistance > 0.6, result.reason);
  });

  it('leaving the page stops the camera and the check', async () => {
    const camera = rig([{}], { frameMs: 120 });
    stop = camera.stop;
    const el = await mount('liveness="blink"', camera.recognizer, async () => camera.stream, { timeLimitMs: 60_000 });
    const started = next(el, 'wv-liveness-progress');
    cameraButton(el).click();
    await started;
    let progressAfter = 0;
    const host = el.parentElement!;
    host.remove();
    el.addEventListener('wv-liveness-progress', () => progressAfter++);
    assert(camera.stream.getTracks().every((t) => t.readyState === 'ended'), 'the camera\'s tracks are stopped');
    await new Promise((r) => setTimeout(r, 600));
    assertEqual(progressAfter, 0, 'no frame is analysed after it left');
    document.body.append(host);
    await el.updateComplete;
    assert(!el.shadowRoot!.querySelector('video') && cameraButton(el), 'back on the page: the camera is closed and can be opened again');
  });

  it('a camera refused by the visitor is camera-denied, a missing one no-camera; the button stays usable', async () => {
    const camera = rig([{}]);
    stop = camera.stop;
    const denied = new DOMException('Permission denied', 'NotAllowedError');
    const el = await mount('liveness', camera.recognizer, async () => { throw denied; });
    let error = next<{ kind: string; message: string }>(el, 'wv-error');
    cameraButton(el).click();
    assertEqual((await error).detail.kind, 'camera-denied');
    await el.updateComplete;
    assertEqual(el.shadowRoot!.querySelector('[part=error]')!.getAttribute('data-kind'), 'camera-denied');
    navigator.mediaDevices.getUserMedia = async () => { throw new DOMException('Requested device not found', 'NotFoundError'); };
    error = next(el, 'wv-error');
    cameraButton(el).click();
    assertEqual((await error).detail.kind, 'no-camera');
  });
});
