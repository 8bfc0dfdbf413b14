/** The wgsl-vision web components: importing this module defines them. */
export { FaceVerify } from './face-verify/face-verify.js';
export type { FaceVerifyEventMap } from './face-verify/events.js';
