import type { Point } from '../src/nn/boxes.js';
import { evaluateLiveness, eyeAspectRatio, headYaw, type LivenessFrame } from '../src/tasks/face/liveness.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { Rng } from './util/random.js';

/**
 * A synthetic 68-point face with the eye line level: jaw ends 0 and 16 at x = 40 and 160 (width
 * 120), eyes 30 wide and 2·4.5·open high (EAR 0.3·open), the nose tip at 100 + yaw·120 (yaw exact).
 */
function face({ open = 1, yaw = 0 } = {}): Point[] {
  const p: Point[] = Array.from({ length: 68 }, (_, i) => ({ x: 100 + 30 * Math.cos(i), y: 150 + 20 * Math.sin(i) }));
  for (let i = 0; i <= 16; i++) p[i] = { x: 100 - 60 * Math.cos((Math.PI * i) / 16), y: 100 + 60 * Math.sin((Math.PI * i) / 16) };
  for (const [start, cx] of [[36, 70], [42, 130]] as const) {
    const h = 4.5 * open;
    [[-15, 0], [-5, -h], [5, -h], [15, 0], [5, h], [-5, h]].forEach(([dx, dy], k) => (p[start + k] = { x: cx + dx!, y: 90 + dy! }));
  }
  p[30] = { x: 100 + yaw * 120, y: 120 };
  return p;
}

/** Frames `dt` ms apart; a number is the eyes' openness, an object a pose, null no face. */
function track(poses: ({ open?: number; yaw?: number } | null)[], dt = 100, t0 = 0): LivenessFrame[] {
  return poses.map((pose, i) => ({ t: t0 + i * dt, landmarks: pose && face(pose) }));
}
const open = (n: number) => Array.from({ length: n }, () => ({ open: 1 }));
const closed = (n: number) => Array.from({ length: n }, () => ({ open: 0.2 }));
const yaws = (...ys: number[]) => ys.map((yaw) => ({ yaw }));

/** A random similarity transform: rotation, scale and translation of the image plane. */
function similarity(rng: Rng): (p: Point) => Point {
  const [a, s, tx, ty] = [rng.next() * 2 * Math.PI, 0.2 + 5 * rng.next(), 2000 * (rng.next() - 0.5), 2000 * (rng.next() - 0.5)];
  return ({ x, y }) => ({ x: s * (Math.cos(a) * x - Math.sin(a) * y) + tx, y: s * (Math.sin(a) * x + Math.cos(a) * y) + ty });
}

describe('active liveness: EAR and yaw', () => {
  it('EAR is the mean of both eyes\' (|p2−p6| + |p3−p5|) / (2·|p1−p4|); yaw the nose offset over the face width', () => {
    assertClose([eyeAspectRatio(face())], [0.3], { atol: 1e-12, rtol: 0 });
    assertClose([eyeAspectRatio(face({ open: 0.2 }))], [0.06], { atol: 1e-12, rtol: 0 });
    const oneClosed = face();
    for (const i of [43, 44]) oneClosed[i]!.y = 90 - 0.9;
    for (const i of [46, 47]) oneClosed[i]!.y = 90 + 0.9;
    assertClose([eyeAspectRatio(oneClosed)], [(0.3 + 0.06) / 2], { atol: 1e-12, rtol: 0 }, 'one eye closed');
    assertClose([headYaw(face()), headYaw(face({ yaw: 0.2 })), headYaw(face({ yaw: -0.15 }))], [0, 0.2, -0.15], { atol: 1e-12, rtol: 0 });
  });

  it('EAR and yaw do not change under translation, scale and in-plane rotation', () => {
    const rng = new Rng(16);
    for (const pose of [{}, { open: 0.3 }, { yaw: 0.25 }, { open: 0.6, yaw: -0.2 }]) {
      const p = face(pose);
      for (let k = 0; k < 20; k++) {
        const q = p.map(similarity(rng));
        assertClose([eyeAspectRatio(q), headYaw(q)], [eyeAspectRatio(p), headYaw(p)], { atol: 1e-9, rtol: 0 }, `pose ${JSON.stringify(pose)}, transform ${k} (seed ${rng.seed})`);
      }
    }
  });

  it('needs 68 landmarks', async () => {
    await assertRejects(() => eyeAspectRatio(face().slice(0, 5)), /RangeError: liveness needs 68 landmarks, got 5/);
    await assertRejects(() => headYaw([]), /RangeError: liveness needs 68 landmarks, got 0/);
  });
});

describe('active liveness: evaluateLiveness', () => {
  it('a blink (closed below 0.75 × the open baseline, open again above 0.9 ×) passes, with its curves as evidence', () => {
    const r = evaluateLiveness(track([...open(5), ...closed(2), ...open(3)]));
    assert(r.live && r.passed.blink === true, r.reason);
    assertEqual(r.reason, 'blinked (200 ms)');
    assertEqual(r.evidence.t, [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    assertClose(r.evidence.ear.map((e) => e!), [0.3, 0.3, 0.3, 0.3, 0.3, 0.06, 0.06, 0.3, 0.3, 0.3], { atol: 1e-12, rtol: 0 }, 'EAR curve');
    assertClose([r.evidence.baselineEar], [0.3], { atol: 1e-12, rtol: 0 }, 'baseline');
    assertEqual(r.evidence.yaw.length, 10, 'yaw curve');
  });

  it('the baseline is the person\'s own: narrow eyes blink too, half-closed eyes do not', () => {
    const narrow = track([...open(4), { open: 0.5 }, ...open(2)].map((p) => ({ open: p.open * 0.6 })));
    assert(evaluateLiveness(narrow).live, 'narrow eyes closing to half their opening');
    const squint = evaluateLiveness(track([...open(4), { open: 0.8 }, { open: 0.8 }, ...open(2)]));
    assert(!squint.live, 'squint');
    assertEqual(squint.reason, 'no blink within 10000 ms');
  });

  it('a blink too fast (one 33 ms frame) or too slow (1.5 s) fails', () => {
    const fast = evaluateLiveness(track([...open(10), ...closed(1), ...open(10)], 33));
    assert(!fast.live, 'too fast passed');
    assertEqual(fast.reason, 'blink too fast (33 ms < 50 ms) within 10000 ms');
    assert(evaluateLiveness(track([...open(10), ...closed(3), ...open(10)], 33)).live, 'three frames at 30 fps');
    const slow = evaluateLiveness(track([...open(30), ...closed(15), ...open(5)]));
    assertEqual([slow.live, slow.reason], [false, 'blink too slow (1500 ms > 1000 ms) within 10000 ms']);
    const never = evaluateLiveness(track([...open(10), ...closed(3)]));
    assertEqual([never.live, never.reason], [false, 'eyes closed and not opened again within 10000 ms']);
    assert(evaluateLiveness(track([...open(30), ...closed(15), ...open(5)]), { maxBlinkMs: 2000 }).live, 'a longer limit');
  });

  it('eyes closed from the start do not count: the eyes must be seen open first', () => {
    assert(!evaluateLiveness(track([...closed(2), ...open(8)])).live, 'opening only');
  });

  it('a blink after the time limit fails', () => {
    const poses = [...open(110), ...closed(2), ...open(3)];
    const late = evaluateLiveness(track(poses));
    assertEqual([late.live, late.reason], [false, 'no blink within 10000 ms']);
    assert(evaluateLiveness(track(poses), { timeLimitMs: 12_000 }).live, 'within a longer limit');
    assert(evaluateLiveness(track(poses, 100, 5_000), { timeLimitMs: 12_000 }).live, 'the limit counts from the first frame');
  });

  it('a turn to one side and back passes; the side can be asked for', () => {
    const left = track(yaws(0, 0, 0, 0.08, 0.15, 0.2, 0.1, 0.03, 0));
    assertEqual([evaluateLiveness(left, { challenges: ['turn'] }).reason], ['turned left and back']);
    assert(evaluateLiveness(left, { challenges: ['turn'], turnSide: 'left' }).live, 'left, asked for');
    const wrong = evaluateLiveness(left, { challenges: ['turn'], turnSide: 'right' });
    assertEqual([wrong.live, wrong.passed, wrong.reason], [false, { turn: false }, 'turned left, not right within 10000 ms']);
    const right = evaluateLiveness(track(yaws(0, 0, 0, -0.2, -0.01)), { challenges: ['turn'], turnSide: 'right' });
    assertEqual([right.live, right.reason], [true, 'turned right and back']);
  });

  it('the turn is measured from the starting pose', () => {
    const offCentre = evaluateLiveness(track(yaws(0.1, 0.1, 0.1, 0.25, 0.12)), { challenges: ['turn'] });
    assert(offCentre.live, offCentre.reason);
    assertClose([offCentre.evidence.baselineYaw], [0.1], { atol: 1e-12, rtol: 0 });
    assert(!evaluateLiveness(track(yaws(0.1, 0.1, 0.1, 0.2, 0.1)), { challenges: ['turn'] }).live, 'a turn of 0.1 only');
  });

  it('a turn that never comes back fails', () => {
    const r = evaluateLiveness(track(yaws(0, 0, 0, 0.2, 0.25, 0.2, 0.15)), { challenges: ['turn'] });
    assertEqual([r.live, r.reason], [false, 'turned left but not back within 10000 ms']);
  });

  it('with both challenges, each must pass', () => {
    const blinkOnly = evaluateLiveness(track([...open(5), ...closed(2), ...open(3)]), { challenges: ['blink', 'turn'] });
    assertEqual([blinkOnly.live, blinkOnly.passed, blinkOnly.reason], [false, { blink: true, turn: false }, 'blinked (200 ms); no head turn within 10000 ms']);
    const both = evaluateLiveness(track([...open(4), ...closed(2), ...open(3), ...yaws(0.2, 0.2, 0)]), { challenges: ['turn', 'blink'] });
    assertEqual([both.live, both.passed], [true, { turn: true, blink: true }]);
  });

  it('frames without a face are allowed, up to 30% of them', () => {
    const poses = [...open(3), null, ...closed(2), null, ...open(2), null];
    const r = evaluateLiveness(track(poses));
    assert(r.live, `3 of 10 without a face: ${r.reason}`);
    assertEqual([r.evidence.ear[3], r.evidence.yaw[6], r.evidence.missingFraction], [null, null, 0.3]);
    const many = evaluateLiveness(track([...poses, null]));
    assertEqual([many.live, many.reason], [false, 'too many frames without a face (4 of 11, more than 30%)']);
    assertEqual(evaluateLiveness(track([null, null])).reason, 'too many frames without a face (2 of 2, more than 30%)');
    assertEqual(evaluateLiveness([]).reason, 'no frames');
  });

  it('one still face moved, scaled and rotated in the image fails both challenges', () => {
    const rng = new Rng(3);
    const still = face();
    const frames = Array.from({ length: 30 }, (_, i) => ({ t: i * 100, landmarks: still.map(similarity(rng)) }));
    const r = evaluateLiveness(frames, { challenges: ['blink', 'turn'] });
    assertEqual([r.live, r.passed], [false, { blink: false, turn: false }]);
  });

  it('frames must be in time order', async () => {
    await assertRejects(() => evaluateLiveness([{ t: 100, landmarks: face() }, { t: 50, landmarks: face() }]), /RangeError: liveness frames must be in time order: frame 1 at 50 ms after 100 ms/);
  });
});
