/**
 * The visualisations on the shipped networks: receptive fields worked out by hand, the
 * activation climb through the face ResNet's and CenterNet's backward passes, non-blank pictures.
 */
import { readFileSync } from 'node:fs';
import type { Engine } from '../../src/gpu/engine.js';
import { decodeImage } from '../../src/host/node-image.js';
import { loadVisualNetwork } from '../../src/host/node-visualize.js';
import { maximizeActivation } from '../../src/tasks/visualize/activation-max.js';
import { renderGrid, stretchContrast } from '../../src/tasks/visualize/grid.js';
import type { VisualNetwork } from '../../src/tasks/visualize/network.js';
import { receptiveField } from '../../src/tasks/visualize/receptive-field.js';
import { prepareImages, topPatches } from '../../src/tasks/visualize/top-patches.js';
import { assert, assertEqual } from '../util/assert.js';
import { testEngine } from '../util/engine.js';

const distinct = (data: ArrayLike<number>) => new Set(Array.from(data, Math.round)).size;

describe('visualize on the shipped networks', function () {
  this.timeout(300_000);
  let engine: Engine;
  let face: VisualNetwork;

  before(async () => {
    engine = await testEngine();
    face = await loadVisualNetwork(engine, 'face-resnet');
  });
  after(() => face?.graph.dispose());

  it('face ResNet receptive fields by hand: stem 7 px every 2, conv32_2 43 px every 4, conv64_down 83 px every 8', () => {
    const rf = (layer: string) => receptiveField(face.graph, face.layers[layer]!, face.inputSize).axes[0];
    // 7x7/2 → 7, jump 2; max pool 3x3/2 → 7 + 2·2 = 11, jump 4; each 3x3 conv adds 2·4: two blocks, four convs → 43.
    assertEqual(rf('conv32_down'), { jump: 2, size: 7, start: 0 }, 'stem');
    assertEqual(rf('conv32_2'), { jump: 4, size: 43, start: -16 }, 'conv32_2');
    // Each 'same' 3x3 conv starts one step (jump) earlier. Three blocks → 59 from −24; the down block's 3x3/2 valid conv → 67,
    // jump 8, then its 3x3 same conv → 83 from −32 (the shortcut's 2x2 pool sees less).
    assertEqual(rf('conv64_down'), { jump: 8, size: 83, start: -32 }, 'conv64_down');
  });

  it('the climb raises a unit\'s mean activation: ≥ 10x for the stem unit that noise leaves near zero, ≥ 2x for four conv64_down units', async () => {
    const started = performance.now();
    const stem = await maximizeActivation(face, 'conv32_down', 1, { steps: 12 });
    console.log(`    conv32_down unit 1: ${stem.start.toFixed(4)} → ${stem.final.toFixed(4)} (${(stem.final / stem.start).toFixed(1)}x)`);
    assert(stem.start > 0 && stem.final >= 10 * stem.start, `stem unit 1: ${stem.start} → ${stem.final}`);
    const pictures = [stretchContrast(stem.image)];
    for (const unit of [0, 1, 2, 3]) {
      const r = await maximizeActivation(face, 'conv64_down', unit, { steps: 8, seed: unit + 1 });
      console.log(`    conv64_down unit ${unit}: ${r.start.toFixed(3)} → ${r.final.toFixed(3)} (${(r.final / r.start).toFixed(1)}x)`);
      assert(r.final >= 2 * r.start && r.start > 0, `conv64_down unit ${unit}: ${r.start} → ${r.final}`);
      assertEqual(r.history.length, 8, 'one value per step');
      pictures.push(stretchContrast(r.image));
    }
    for (const p of pictures) assert(distinct(p.data) > 50, 'the picture is not blank');
    assert(distinct(renderGrid([pictures], { cell: 40 }).data) > 50, 'the grid is not blank');
    console.log(`    ${((performance.now() - started) / 1000).toFixed(1)} s for 44 steps`);
  });

  it('CenterNet: fields by hand (stem 3 px every 2; the first block\'s 3x3 depthwise → 7 px from −2) and a climb through its backward', async () => {
    const cn = await loadVisualNetwork(engine, 'centernet', { size: 64 });
    const rf = (layer: string) => receptiveField(cn.graph, cn.layers[layer]!, cn.inputSize).axes[1];
    assertEqual(rf('conv'), { jump: 2, size: 3, start: 0 }, 'stem (TF same padding: the extra row at the end)');
    assertEqual(rf('expanded_conv_1'), { jump: 2, size: 7, start: -2 }, 'expanded_conv_1');
    const r = await maximizeActivation(cn, 'expanded_conv_3', 1, { steps: 6 });
    console.log(`    CenterNet expanded_conv_3 unit 1: ${r.start.toFixed(3)} → ${r.final.toFixed(3)}`);
    assert(r.final > 2 * Math.max(r.start, 0.01), `${r.start} → ${r.final}`);
    const images = await prepareImages(engine, ['dog.jpg', 'eagle.jpg'].map((f) => decodeImage(readFileSync(`../shared/data/images/${f}`), f)), cn.inputSize);
    const tp = await topPatches(cn, images, 'expanded_conv_1', [0, 5], { maxPerImage: 5 });
    assertEqual(tp.patches.map((p) => p.length), [9, 9], 'nine patches per unit');
    assert(distinct(renderGrid(tp.patches).data) > 50, 'the patch grid is not blank');
  });
});
