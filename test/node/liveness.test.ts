import { readFileSync } from 'node:fs';
import { createFaceRecognizer, type NodeImageInput } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import type { RGBAImage } from '../../src/ops/image.js';
import { eyeAspectRatio, livenessCheck, type LivenessRecognizer } from '../../src/tasks/face/liveness.js';
import type { FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import { assert, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const orl = (p: string) => decodeImage(readFileSync(`../shared/data/orl-faces/${p}.pgm`));

/**
 * The photo rotated by `angle` (radians) about its centre, scaled by `scale` and moved by
 * (dx, dy), on a canvas of the scaled size: bilinear, edge pixels repeated outside the photo.
 */
function transformed(image: RGBAImage, { angle = 0, scale = 1, dx = 0, dy = 0 }): RGBAImage {
  const [width, height] = [Math.round(image.width * scale), Math.round(image.height * scale)];
  const data = new Uint8ClampedArray(width * height * 4);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const at = (x: number, y: number, c: number) => image.data[(Math.min(image.height - 1, Math.max(0, y)) * image.width + Math.min(image.width - 1, Math.max(0, x))) * 4 + c]!;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const [u, v] = [(x + 0.5 - width / 2 - dx) / scale, (y + 0.5 - height / 2 - dy) / scale];
    const [sx, sy] = [cos * u + sin * v + image.width / 2 - 0.5, -sin * u + cos * v + image.height / 2 - 0.5];
    const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
    const [fx, fy] = [sx - x0, sy - y0];
    for (let c = 0; c < 4; c++) {
      const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
      const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
      data[(y * width + x) * 4 + c] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data, width, height };
}

describe('active liveness on ORL photos (open and closed eyes of s26)', () => {
  let faces: FaceRecognizer<NodeImageInput>;
  /** describe() once per photo: the sequences repeat photos. */
  let cached: LivenessRecognizer<RGBAImage>;
  // s26/7: eyes open (EAR 0.305); s26/6: eyes closed (EAR 0.208), the lowest of all 30 ORL people's photos.
  const open = orl('s26/7');
  const closed = orl('s26/6');
  const frames = (images: RGBAImage[]) => images.map((image, i) => ({ t: i * 100, image }));
  before(async () => {
    faces = await createFaceRecognizer({ engine: await testEngine() });
    const seen = new Map<RGBAImage, ReturnType<FaceRecognizer['describe']>>();
    cached = { describe: (image, options) => seen.get(image) ?? seen.set(image, faces.describe(image, options)).get(image)! };
  });
  after(() => faces?.dispose());

  it('the closed-eye photo\'s EAR is below 0.75 × the open one\'s', async () => {
    const [[o], [c]] = [await cached.describe(open, { maxFaces: 1 }), await cached.describe(closed, { maxFaces: 1 })];
    const [earOpen, earClosed] = [eyeAspectRatio(o!.landmarks), eyeAspectRatio(c!.landmarks)];
    assert(earOpen > 0.29 && earClosed < 0.22 && earClosed < 0.75 * earOpen, `EAR open ${earOpen}, closed ${earClosed}`);
  });

  it('open, open, closed, open reads as a blink', async () => {
    const r = await livenessCheck(cached, frames([open, open, closed, open]));
    assertEqual([r.live, r.passed, r.reason], [true, { blink: true }, 'blinked (100 ms)']);
    assertEqual(r.evidence.t, [0, 100, 200, 300]);
    assert(r.evidence.ear[2]! < 0.75 * r.evidence.baselineEar, `EAR curve ${r.evidence.ear}`);
  });

  it('the open photo repeated, or moved, scaled and rotated in the image, fails', async () => {
    const still = await livenessCheck(cached, frames([open, open, open, open]), { challenges: ['blink', 'turn'] });
    assertEqual([still.live, still.passed], [false, { blink: false, turn: false }]);
    const moved = [
      open,
      transformed(open, { dx: 12, dy: -8 }),
      transformed(open, { scale: 1.6 }),
      transformed(open, { scale: 1.2, dx: -6 }),
      transformed(open, { angle: 0.15 }),
      transformed(open, { angle: -0.2, scale: 1.3, dy: 5 }),
      open,
    ];
    const r = await livenessCheck(cached, frames(moved), { challenges: ['blink', 'turn'] });
    assertEqual([r.live, r.passed], [false, { blink: false, turn: false }], r.reason);
    assertEqual(r.evidence.missingFraction, 0, `a face in every frame: EAR ${r.evidence.ear}, yaw ${r.evidence.yaw}`);
    const [ear, yaw] = [r.evidence.ear as number[], r.evidence.yaw as number[]];
    const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
    assert(spread(ear) < 0.1 * r.evidence.baselineEar && spread(yaw) < 0.06, `EAR ${ear}, yaw ${yaw}`);
  });
});
