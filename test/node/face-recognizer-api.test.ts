import { readFileSync } from 'node:fs';
import { createFaceRecognizer } from '../../src/host/node.js';
import { decodeImage } from '../../src/host/node-image.js';
import { withEdgeBorder } from '../../src/nn/boxes.js';
import type { RGBAImage } from '../../src/ops/image.js';
import type { FaceRecognizer } from '../../src/tasks/face/recognizer.js';
import { assert, assertEqual, assertRejects } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const orl = (p: string) => withEdgeBorder(decodeImage(readFileSync(`../shared/data/orl-faces/${p}.pgm`)), 46, 56);

describe('face recognizer API on real images', () => {
  let faces: FaceRecognizer<Uint8Array | RGBAImage>;
  before(async () => {
    faces = await createFaceRecognizer({ engine: await testEngine() });
  });
  after(() => faces?.dispose());

  it('verify between two multi-face photos returns every pair, closest first (many-to-many)', async () => {
    const group = readFileSync('node_modules/@vladmandic/face-api/demo/sample2.jpg');
    const r = await faces.verify(group, group);
    assertEqual([r.facesA.length, r.facesB.length, r.pairs.length], [3, 3, 9]);
    const diagonal = r.pairs.filter((p) => p.a === p.b);
    assert(diagonal.length === 3 && diagonal.every((p) => p.match && p.distance < 1e-6), 'each face matches itself');
    assert(r.pairs.every((p, i) => i === 0 || r.pairs[i - 1]!.distance <= p.distance), 'pairs sorted, closest first');
    assert(r.pairs.every((p) => p.match === p.distance <= r.threshold), 'each pair judged against the threshold');
    assert(r.match && r.distance === r.pairs[0]!.distance, 'verdict from the closest pair');
  });

  it('enrol, identify (1:K) with "not recognized", verify against an identity, and refuse multi-face enrolment', async () => {
    assertEqual(await faces.enroll('s1', orl('s1/1'), orl('s1/2')), 2);
    await faces.enroll('s2', orl('s2/1'));
    const [known] = await faces.identify(orl('s1/5'));
    assertEqual(known!.id, 's1');
    assert(known!.candidates[0]!.id === 's1' && known!.candidates[1]!.id === 's2', 'top-k candidates');
    const [stranger] = await faces.identify(orl('s3/1'));
    assertEqual(stranger!.id, null, 'someone not enrolled is not recognized');
    const check = await faces.verifyIdentity(orl('s1/5'), 's1');
    assert(check.match && check.identity === 's1', `verify against identity: ${check.distance}`);
    assert(!(await faces.verifyIdentity(orl('s1/5'), 's2')).match, 'not s2');
    await assertRejects(() => faces.enroll('group', readFileSync('node_modules/@vladmandic/face-api/demo/sample2.jpg')), /image 1 has 3 faces; use photos of one face/);
    await assertRejects(() => faces.describe(new TextEncoder().encode('not an image')), /bad image: image is not a JPEG, PNG or PGM file/);
    assertEqual((await faces.gallery.list()).map((p) => p.id), ['s1', 's2'], 'failed enrolments change nothing');
  });

  it('finds faces that fill the frame without being told (border retry), in the photo\'s own pixels', async () => {
    const plain = decodeImage(readFileSync('../shared/data/orl-faces/s1/1.pgm'));
    const asIs = await createFaceRecognizer({ engine: faces.engine, border: 0 });
    try {
      assertEqual((await asIs.describe(plain)).length, 0, 'SSD misses an ORL face as it is');
    } finally {
      asIs.dispose();
    }
    const [found, ...more] = await faces.describe(plain);
    assert(found && more.length === 0 && found.border === 0.5, `one face, found with the 0.5 border: ${JSON.stringify(found?.border)}`);
    // The same face found in the caller's own bordered copy, moved back by that border.
    const [reference] = await faces.describe(orl('s1/1'));
    const moved = { x: reference!.box.x - 46, y: reference!.box.y - 56 };
    assert(Math.abs(found.box.x - moved.x) < 1e-3 && Math.abs(found.box.y - moved.y) < 1e-3, `box ${JSON.stringify(found.box)} vs ${JSON.stringify(moved)}`);
    assert(found.landmarks.every((p, i) => Math.abs(p.x - (reference!.landmarks[i]!.x - 46)) < 1e-3), 'landmarks in the photo\'s pixels');
    assert(reference!.border === undefined, 'a face found as it is carries no border');
    const [a, b] = [found.descriptor, reference!.descriptor];
    assert(a.every((v, i) => Math.abs(v - b[i]!) < 1e-5), 'the same descriptor');
  });

  it('a calibration turns distances into P(same person)', async () => {
    faces.setCalibration([0.3, 0.35, 0.4, 0.45, 0.5].map((distance) => ({ distance, same: true })).concat([0.55, 0.65, 0.7, 0.75, 0.8].map((distance) => ({ distance, same: false }))));
    const r = await faces.verifyIdentity(orl('s1/5'), 's1');
    assert(r.confidence !== undefined && r.confidence > 0.5, `confidence ${r.confidence}`);
    assert(faces.confidence(0.9)! < 0.1 && faces.confidence(0.2)! > 0.9, 'monotone in distance');
  });
});
