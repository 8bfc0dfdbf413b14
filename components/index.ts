/** The wgsl-vision web components: importing this module defines <wv-face-verify> and <wv-style-transfer>. */
export { FaceVerify, type FaceExample } from './face-verify/face-verify.js';
export type { FaceVerifyEventMap } from './face-verify/events.js';
export type { CameraLivenessResult, LivenessProgress, LivenessStep } from './face-verify/liveness-run.js';
export { StyleTransfer, type StyleExample } from './style-transfer/style-transfer.js';
export type { StyleTransferEventMap, StyleRole, StyleLosses } from './style-transfer/events.js';
export type { StyleRunner, StyleRunOptions, StyleRunStep } from './style-transfer/run.js';
export type { WvErrorDetail, WvErrorKind } from './shared/events.js';
