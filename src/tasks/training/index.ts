/** Training on the GPU: classifiers (softmax cross-entropy), embedding encoders with triplet/contrastive losses, the pair-classifier head, data and evaluation. */
export { trainEmbedding, contrastivePairs, type TrainEmbeddingOptions, type TrainEmbeddingResult, type TrainingEvent, type StepRecord, type EpochRecord, type Mining } from './trainer.js';
export { trainClassifier, classify, argmaxRows, accuracy, type TrainClassifierOptions, type TrainClassifierResult, type ClassifierEvent, type ClassifierStep, type ClassifierEpoch } from './classifier.js';
export { createTrainStepper, type TrainStepper, type TrainStepperOptions } from './stepper.js';
export { tripletStep, DEFAULT_TRAINING_OPTIMIZER, type TripletStepOptions, type TripletStepResult, type TrainingPhase } from './step.js';
export { trainSimilarityHead, l1Initial, type DescriptorPair, type TrainHeadOptions, type TrainHeadResult } from './similarity-head-training.js';
export { CollapseDetector, meanPairwiseDistance, type CollapseOptions, type CollapseWarning } from './collapse.js';
export { saveModelWeights, restoreWeights, saveTrainingCheckpoint, restoreTrainingCheckpoint, type SavedWeights, type TrainingCheckpoint } from './checkpoint.js';
export { warmupCosine, type LearningRateSchedule, type WarmupCosineOptions } from './schedule.js';
export { createOptimizer, isOptimizer, type OptimizerSpec, type OptimizerState } from '../../nn/optimizers.js';
export { PKSampler, type BatchShape } from './sampler.js';
export { SeededRandom } from './random.js';
export { gatherImages, checkExamples, checkModelInput, subset, filterClasses, firstPerClass, classesOf, splitClasses, type LabelledImages } from './dataset.js';
export { embedImages, embedIndices, type EmbedOptions } from './embed.js';
export { scoreEmbeddings, balancedPairs, oneShotAccuracy, euclideanDistance, type EmbeddingScores } from './evaluate.js';
export { parseIdx, readIdx, gunzip, IdxError, type IdxArray } from './idx.js';
export { loadFashionMnist, urlFileReader, FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, type FashionMnistOptions, type DatasetFileReader } from './fashion-mnist.js';
export { smallEncoder, describeEncoder, type EncoderLayer } from './encoder.js';
export { syntheticTrainBatch, clusteredImages } from './synthetic.js';
