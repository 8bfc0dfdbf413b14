/** Node host glue for the visualisations: the networks loaded from the installed packages (or a given model file). */
import { join } from 'node:path';
import type { Engine } from '../gpu/engine.js';
import { FACE_API_MODELS } from '../nn/face-api-models.js';
import { centernetVisualNetwork, faceResNetVisualNetwork, type VisualNetwork, type VisualNetworkName } from '../tasks/visualize/network.js';
import { faceApiModelDir, loadWeightsFromFile } from './node.js';
import { fileModelSource } from './node-style.js';

export interface LoadVisualNetworkOptions {
  /** centernet: the side images are brought to (default 160). */
  size?: number;
  /** centernet: a model.json path (default: the CenterNet shipped with this package). */
  model?: string;
}

export async function loadVisualNetwork(engine: Engine, name: VisualNetworkName, o: LoadVisualNetworkOptions = {}): Promise<VisualNetwork> {
  if (name === 'face-resnet') {
    const spec = FACE_API_MODELS.faceRecognition;
    return faceResNetVisualNetwork(engine, await loadWeightsFromFile(join(faceApiModelDir(), spec.manifest), { sha256: spec.sha256 }));
  }
  if (name === 'centernet') return centernetVisualNetwork(engine, fileModelSource(o.model), o.size);
  throw new Error(`unknown network '${name as string}' (networks: face-resnet, centernet)`);
}
