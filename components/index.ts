/** The wgsl-vision web components: importing this module defines them. */
export { FaceVerify } from './face-verify/face-verify.js';
export type { FaceVerifyEventMap } from './face-verify/events.js';
export { StyleTransfer, type StyleExample } from './style-transfer/style-transfer.js';
export type { StyleTransferEventMap, StyleRole, StyleErrorKind, StyleLosses } from './style-transfer/events.js';
export type { StyleRunner, StyleRunOptions, StyleRunStep } from './style-transfer/run.js';
