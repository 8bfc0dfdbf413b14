export * from './activation.js';
export { conv, type ConvOptions } from './conv.js';
export * from './elementwise.js';
export * from './image.js';
export { matmul, type MatmulOptions } from './matmul.js';
export * from './normalize.js';
export * from './pool.js';
export * from './resize.js';
export type { Padding } from './window.js';
