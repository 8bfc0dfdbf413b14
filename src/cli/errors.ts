/**
 * Errors of the command line and the exit codes they map to. Every failure ends as one line
 * on stderr ("wgsl-vision: …") and a non-zero exit code; stack traces only with --debug.
 */
import { BufferTooLargeError, DeviceLostError, GalleryError, GPUOpError, ImageTooLargeError, ShapeError, WebGPUUnavailableError, WeightsError } from '../node.js';
import { GalleryDatabaseError } from '../tasks/face/sql-gallery.js';

/** Exit codes: 0 success, 1 a negative answer (no match, not recognized), ≥ 2 a failure. */
export const EXIT = {
  ok: 0,
  negative: 1,
  usage: 2,
  input: 3,
  /** No WebGPU adapter (no Vulkan driver): the machine, not the input, needs attention. */
  gpu: 4,
  internal: 5,
  /** A GPU fault: a lost device, a rejected kernel, a buffer larger than the device allows. */
  gpuError: 6,
} as const;

/** A failure the user can act on; the message is shown as is. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode: number = EXIT.input, readonly kind = 'input') {
    super(message);
  }
}

/** Bad arguments: the message is followed by a pointer to --help. */
export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message, EXIT.usage, 'usage');
  }
}

export interface ErrorReport {
  kind: string;
  message: string;
  exitCode: number;
  /** kind 'database': unreachable, authentication, no-pgvector, … (GalleryDatabaseError's fault). */
  fault?: string;
}

/** Turns anything thrown into the one line the user sees and its exit code. */
export function reportOf(e: unknown): ErrorReport {
  if (e instanceof UsageError) {
    const help = e.command ? `wgsl-vision ${e.command} --help` : 'wgsl-vision --help';
    return { kind: 'usage', message: `${e.message} (see ${help})`, exitCode: e.exitCode };
  }
  if (e instanceof CliError) return { kind: e.kind, message: e.message, exitCode: e.exitCode };
  if (e instanceof WebGPUUnavailableError) return { kind: 'no-webgpu', message: noAdapterMessage(e.message), exitCode: EXIT.gpu };
  if (e instanceof DeviceLostError || e instanceof GPUOpError || e instanceof BufferTooLargeError) return { kind: 'gpu', message: `GPU error: ${e.message}`, exitCode: EXIT.gpuError };
  if (e instanceof ImageTooLargeError) return { kind: 'image-too-large', message: e.message, exitCode: EXIT.input };
  if (e instanceof ShapeError && /bad image/.test(e.message)) return { kind: 'not-an-image', message: e.message, exitCode: EXIT.input };
  // A database that cannot be reached or used (--db): 'database', and --json's `fault` says why.
  if (e instanceof GalleryDatabaseError) return { kind: 'database', message: e.message, exitCode: EXIT.input, fault: e.fault };
  if (e instanceof GalleryError) return { kind: 'gallery', message: e.message, exitCode: EXIT.input };
  if (e instanceof WeightsError) return { kind: 'model', message: `model files: ${e.message}`, exitCode: EXIT.input };
  const fsError = fileErrorMessage(e);
  if (fsError) return { kind: 'file', message: fsError, exitCode: EXIT.input };
  const message = e instanceof Error ? e.message : String(e);
  return { kind: 'internal', message: `${message} (run with --debug for details)`, exitCode: EXIT.internal };
}

/** The engine's message speaks of browsers; say what to do on a Node machine instead. */
function noAdapterMessage(message: string): string {
  if (/no GPU adapter/.test(message)) {
    return 'no WebGPU adapter found: install a Vulkan driver (Mesa lavapipe: apt-get install mesa-vulkan-drivers) or point VK_ICD_FILENAMES at one';
  }
  return `no WebGPU: ${message}`;
}

/** Node's file system errors (ENOENT, EISDIR, EACCES) as a sentence naming the path. */
function fileErrorMessage(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException;
  if (!err || typeof err !== 'object' || typeof err.code !== 'string') return null;
  const path = err.path ?? 'file';
  switch (err.code) {
    case 'ENOENT': return `file not found: ${path}`;
    case 'EISDIR': return `${path} is a directory, not a file`;
    case 'EACCES':
    case 'EPERM': return `permission denied: ${path}`;
    case 'ENOTDIR': return `not a directory in path: ${path}`;
    default: return null;
  }
}
