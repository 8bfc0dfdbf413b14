/**
 * The public styleTransfer: like the task's, but the feature network is optional (loaded by the
 * host: from a URL in browsers, from node_modules in Node) and so is the engine.
 */
import type { Engine } from '../../gpu/engine.js';
import type { FeatureNetwork, FeatureNetworkName } from '../../nn/graph/feature-networks.js';
import { loadStyleNetwork, type ModelSource } from './network.js';
import { styleTransfer as run, type StyleStep, type StyleTransferOptions } from './style-transfer.js';

export interface PublicStyleTransferOptions extends Omit<StyleTransferOptions, 'network'> {
  /** A network built already; otherwise one is loaded from the model (and cached per engine). */
  network?: FeatureNetwork;
  /** 'centernet-mobilenetv3' (default) or 'vgg19' (a user-supplied tfjs VGG19 graph model). */
  networkName?: FeatureNetworkName;
  /** Browser: the model.json URL ('./models/style/centernet.json' by default). Node: a file path (the npm package's CenterNet by default). */
  model?: string;
}

export type StyleTransferFunction = {
  (engine: Engine, options: PublicStyleTransferOptions): AsyncIterableIterator<StyleStep>;
  (options: PublicStyleTransferOptions & { engine?: Engine }): AsyncIterableIterator<StyleStep>;
};

export function publicStyleTransfer(source: (model?: string) => ModelSource, defaultEngine: () => Promise<Engine>): StyleTransferFunction {
  async function* styleTransfer(a: Engine | (PublicStyleTransferOptions & { engine?: Engine }), b?: PublicStyleTransferOptions): AsyncIterableIterator<StyleStep> {
    const options = (b ?? a) as PublicStyleTransferOptions & { engine?: Engine };
    const engine = b ? (a as Engine) : (options.engine ?? (await defaultEngine()));
    const network = options.network ?? (await loadStyleNetwork(engine, source(options.model), {
      name: options.networkName,
      layers: options.styleLayers || options.contentLayer ? [...Object.keys(options.styleLayers ?? {}), ...(options.contentLayer ? [options.contentLayer] : [])] : undefined,
    }));
    yield* run(engine, { ...options, network });
  }
  return styleTransfer as StyleTransferFunction;
}
