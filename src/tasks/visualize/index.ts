// What the network learns: top patches and activation maximisation (Zeiler and Fergus; Yosinski et al.).
export { receptiveField, fieldBox, type AxisField, type ReceptiveField } from './receptive-field.js';
export { TopActivationScan, type TopActivation } from './top-activations.js';
export { prepareImages, topPatches, type TopPatches, type TopPatchesOptions } from './top-patches.js';
export { maximizeActivation, gaussianBlur, type ActivationMax, type ActivationMaxOptions } from './activation-max.js';
export { renderGrid, cutPatch, stretchContrast, type FloatImage, type GridOptions } from './grid.js';
export { faceResNetVisualNetwork, centernetVisualNetwork, layerNode, layerShape, checkUnits, VISUAL_NETWORKS, VISUAL_DEFAULT_LAYERS, type VisualNetwork, type VisualNetworkName } from './network.js';
export { faceRecognitionGraph, type FaceRecognitionGraph } from '../../nn/face-recognition-graph.js';
