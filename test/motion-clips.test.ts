import type { LabelledImages } from '../src/tasks/training/dataset.js';
import { clipFrames, MOTION_DIRECTIONS, motionClips, type MotionDirection } from '../src/tasks/training/motion-clips.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { Rng } from './util/random.js';

/** Random [8, 6, 1] "items" (values in [0, 1), so each is distinguishable from its shifts). */
function randomItems(count: number, seed: number): LabelledImages {
  const rng = new Rng(seed);
  return { images: rng.array(count * 8 * 6, 0, 1), labels: new Int32Array(count), shape: [8, 6, 1], count };
}

/** Frame [S, S] rolled by (dx, dy) on the torus. */
function roll(frame: Float32Array, size: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(frame.length);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    out[(((y + dy) % size + size) % size) * size + (((x + dx) % size + size) % size)] = frame[y * size + x]!;
  }
  return out;
}

describe('motion clips (direction of motion for 3-D convnets)', () => {
  for (const directions of [4, 8] as const) {
    it(`${directions} directions: each frame is the previous one moved by the labelled direction and the clip's speed`, () => {
      const items = randomItems(40, directions);
      const size = 10, frames = 5;
      const clips = motionClips(items, { directions, frames, size, shrink: 2, speeds: [1, 2, 3], seed: 3 });
      assertEqual([clips.count, ...clips.shape], [40, frames, size, size, 1]);
      assertEqual(clips.classNames, Object.keys(MOTION_DIRECTIONS).slice(0, directions));
      const frame = size * size;
      const seen = new Set<number>();
      for (let i = 0; i < clips.count; i++) {
        const [dx, dy] = MOTION_DIRECTIONS[clips.classNames![clips.labels[i]!] as MotionDirection];
        const v = clips.speeds[i]!;
        seen.add(clips.labels[i]!);
        for (let t = 0; t + 1 < frames; t++) {
          const at = (k: number) => clips.images.subarray((i * frames + k) * frame, (i * frames + k + 1) * frame);
          assertClose(at(t + 1), roll(at(t), size, v * dx, v * dy), { atol: 0, rtol: 0 }, `clip ${i} frame ${t + 1} = frame ${t} moved ${v}·(${dx}, ${dy})`);
          // Moved the other way (or not at all) it is not the next frame: the check can fail.
          assert(roll(at(t), size, -v * dx, -v * dy).some((x, k) => x !== at(t + 1)[k]), `clip ${i}: the opposite direction differs`);
        }
        // The item, shrunk 2x (block means), is all there in the first frame, somewhere on the torus.
        const first = Array.from(clips.images.subarray(i * frames * frame, (i * frames + 1) * frame)).sort();
        const item = items.images.subarray(i * 48, (i + 1) * 48);
        const shrunk = Array.from({ length: 12 }, (_, k) => {
          const y = 2 * Math.floor(k / 3), x = 2 * (k % 3);
          return (item[y * 6 + x]! + item[y * 6 + x + 1]! + item[(y + 1) * 6 + x]! + item[(y + 1) * 6 + x + 1]!) / 4;
        });
        assertClose(first.slice(-12), shrunk.sort(), { atol: 1e-6, rtol: 0 }, `clip ${i}: the shrunk item's pixels`);
      }
      assertEqual(seen.size, directions, 'every direction drawn');
    });
  }

  it('clipFrames takes one frame of each clip, with the labels; bad inputs are named', async () => {
    const clips = motionClips(randomItems(6, 9), { size: 8, frames: 3, seed: 1 });
    const third = clipFrames(clips, 2);
    assertEqual([third.count, ...third.shape], [6, 8, 8, 1]);
    assertEqual(Array.from(third.labels), Array.from(clips.labels));
    assertClose(third.images.subarray(64, 128), clips.images.subarray((3 + 2) * 64, (3 + 3) * 64), { atol: 0, rtol: 0 }, 'clip 1 frame 2');
    await assertRejects(() => clipFrames(clips, 3), /frame 3 is outside 0..2/);
    await assertRejects(() => motionClips({ ...randomItems(1, 1), shape: [8, 3, 2] }), /items must be \[H, W, 1\] images, got \[8,3,2\]/);
    await assertRejects(() => motionClips(randomItems(1, 1), { size: 3 }), /a 8x6 item shrunk 2x does not fit a 3x3 canvas/);
  });
});
