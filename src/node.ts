/// <reference types="@webgpu/types" preserve="true" />
/** wgsl-vision public API (Node build): the browser API plus Dawn host glue. */
export { Engine, type DispatchSpec, type EngineOptions } from './gpu/engine.js';
export { memoryTuneStore, type AutotuneMode, type TuneRequest, type TuneResult, type TuneStore } from './gpu/autotune.js';
export { BufferTooLargeError, DeviceLostError, GPUOpError, ImageTooLargeError, ShapeError, WebGPUUnavailableError } from './gpu/errors.js';
export { Tensor } from './gpu/tensor.js';
export type { PoolStats } from './gpu/buffer-pool.js';
export * as ops from './ops/index.js';
export { loadWeights, WeightMap, WeightsError, type Weight, type WeightGroup, type ShardReader } from './nn/weights.js';
export { loadWeightsFromURL } from './nn/load-url.js';
export { FACE_API_MODELS } from './nn/face-api-models.js';
export { loadWeightsFromFile } from './host/node.js';

export { createNodeEngine as createEngine, nodeGPU, type NodeEngine } from './host/node.js';
export type { DriverChoice, VulkanDriverOption } from './host/vulkan-driver.js';
export { FaceRecognitionNet, FACE_DESCRIPTOR_SIZE, FACE_RECOGNITION_INPUT_SIZE } from './nn/face-recognition-net.js';
export { GpuParams } from './nn/params.js';
export { FaceRecognizer, alignedFaceBox, euclidean, type FaceRecognizerOptions, type GraphModelLoader, type ModelLoader } from './tasks/face/recognizer.js';
export { DESCRIPTOR_NAMES, GRAPH_DESCRIPTORS, GraphDescriptorNet, type DescriptorName, type GraphDescriptorSpec, type GraphModelSource } from './tasks/face/descriptor-models.js';
export { alignmentTransform, similarityTransform, fivePoints, type AlignmentTemplate, type ChipGeometry } from './tasks/face/alignment.js';
export { PassiveLivenessNets, type PassiveScores } from './tasks/face/passive-liveness.js';
export { FaceGallery, GalleryError, type FaceMatcherJSON, type GalleryChange, type GalleryIdentity, type GalleryIndex, type GalleryJSON, type GalleryStorage, type Identification, type ImportOptions, type Match, type PersonDescriptors, type PersonSummary } from './tasks/face/gallery.js';
export { GpuGalleryIndex, type GpuGalleryStats } from './tasks/face/gpu-gallery-index.js';
export { SqlGalleryIndex, GalleryDatabaseError, type GalleryDatabaseFault, type SqlClient, type SqlGalleryOptions } from './tasks/face/sql-gallery.js';
export { pgliteGalleryIndex, type PGliteGalleryOptions, type PGliteLike } from './host/pglite.js';
export { postgresGalleryIndex, DATABASE_URL_ENV, type PostgresGalleryOptions, type PgPoolLike } from './host/postgres.js';
export { type FileGalleryStorageOptions } from './host/gallery-file.js';
export { extractFaces, type FaceRegion } from './tasks/face/extract.js';
export { drawDetections, drawLandmarks, type DrawDetectionsOptions, type DrawLandmarksOptions, type RGB } from './tasks/face/draw.js';
export { eyeAspectRatio, headYaw, evaluateLiveness, livenessCheck, type LivenessChallenge, type LivenessFrame, type LivenessOptions, type LivenessRecognizer, type LivenessResult } from './tasks/face/liveness.js';
export { calibrate, rocCurve, rocAuc, equalErrorRate, tarAtFar, crossValidate, bestThreshold, accuracyAt, kFoldAccuracy, fitLogistic, type Calibration, type CrossValidation, type LabelledPair, type RocPoint } from './tasks/face/calibration.js';
export type { Box, DescribedFace, DetectedFace, FacePair, FaceQueryOptions, FaceRecognizerLike, ModelProgress, VerifyResult } from './tasks/face/types.js';
export type { RGBAImage } from './ops/image.js';
export { createFaceRecognizer, faceApiModelDir, fileGraphModels, graphModelDir, type NodeFaceRecognizerOptions, type NodeImageInput } from './host/node.js';
export { fileGalleryStorage } from './host/gallery-file.js';
export { fileTuneStore, nodeCacheDir } from './host/autotune-file.js';
export { decodeImage, encodePNG } from './host/node-image.js';
export { TinyFaceDetector } from './nn/tiny-face-detector.js';
export { SsdMobilenetV1 } from './nn/ssd-mobilenet-v1.js';
export { FaceLandmark68Net, FaceLandmark68TinyNet, landmarkCrop, type LandmarkCrop } from './nn/face-landmark-68.js';
export { nonMaxSuppression, type NmsOptions } from './nn/nms.js';
export { iou, withEdgeBorder, type Point, type FaceDetection, type DetectOptions } from './nn/boxes.js';
export { SimilarityHead, type SimilarityHeadJSON } from './tasks/face/similarity-head.js';
export { styleTransfer, centernetModelPath, fileModelSource } from './host/node-style.js';
export { createStyleStepper, StyleStage, workingSize, type StyleTransferOptions, type StyleStep } from './tasks/style/style-transfer.js';
export type { PublicStyleTransferOptions } from './tasks/style/api.js';
export { GramCache, styleGramCache } from './tasks/style/gram-cache.js';
export { loadStyleNetwork, urlModelSource, type ModelSource } from './tasks/style/network.js';
// Training: trainEmbedding, the similarity-head trainer, Fashion-MNIST/IDX data, P×K sampling, evaluation.
export * from './tasks/training/index.js';
export { readTrainingCheckpoint, writeTrainingCheckpoint } from './host/training-checkpoint-file.js';
export { orlSimilarityHead } from './tasks/face/orl-similarity-head.js';
// What the network learns: top patches, activation maximisation, receptive fields.
export * from './tasks/visualize/index.js';
export { loadVisualNetwork, type LoadVisualNetworkOptions } from './host/node-visualize.js';
// Graph models, autodiff, trainable layers and optimisers (src/nn).
export { Graph, Tape, type GraphNode, type GraphOp, type GraphSpec, type ForwardOptions } from './nn/graph/graph.js';
export { graphFromTfjsModel, loadGraphModelWeights, UnsupportedModelError, SUPPORTED_TFJS_OPS, type TfjsGraphOptions } from './nn/graph/tfjs-graph-model.js';
export { featureNetwork, CENTERNET_LAYERS, type FeatureNetwork, type FeatureNetworkName, type FeatureNetworkOptions } from './nn/graph/feature-networks.js';
export { sequential, outputShape, type LayerSpec } from './nn/layers.js';
export { saveWeights, loadGraphWeights, type SaveWeightsOptions } from './nn/save-weights.js';
export { SGD, Adam, LBFGS, OPTIMIZER_DEFAULTS, type Optimizer, type SGDOptions, type AdamOptions, type LBFGSOptions } from './nn/optimizers.js';
