/**
 * The IDX file format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, a type
 * code, the number of dimensions, then each dimension as uint32) followed by the values.
 * Gzipped files are inflated with DecompressionStream, which browsers and Node 18+ both have.
 */

export interface IdxArray {
  /** Dimensions, outermost first: images [N, 28, 28], labels [N]. */
  dims: number[];
  /** Values; IDX type 0x08 (unsigned byte) is the only one Fashion-MNIST uses. */
  data: Uint8Array;
}

const UBYTE = 0x08;

export class IdxError extends Error {
  override name = 'IdxError';
}

/** Parses an uncompressed IDX file of unsigned bytes. `source` names it in errors. */
export function parseIdx(bytes: Uint8Array, source = 'IDX file'): IdxArray {
  if (bytes.length < 4) throw new IdxError(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) throw new IdxError(`${source}: not an IDX file (magic ${view.getUint32(0).toString(16)}; gzipped files need gunzip first)`);
  const type = bytes[2]!;
  if (type !== UBYTE) throw new IdxError(`${source}: IDX type 0x${type.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const rank = bytes[3]!;
  const header = 4 + 4 * rank;
  if (rank === 0 || bytes.length < header) throw new IdxError(`${source}: truncated header (${rank} dimensions)`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header < count) throw new IdxError(`${source}: truncated: [${dims}] needs ${count} values, the file holds ${bytes.length - header}`);
  return { dims, data: bytes.subarray(header, header + count) };
}

/** Inflates gzip data (files ending in .gz). */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Parses an IDX file, inflating it first when it starts with the gzip magic bytes. */
export async function readIdx(bytes: Uint8Array, source?: string): Promise<IdxArray> {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return parseIdx(gzipped ? await gunzip(bytes) : bytes, source);
}
