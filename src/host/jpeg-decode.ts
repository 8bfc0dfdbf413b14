/**
 * A JPEG decoder (baseline and progressive Huffman, 8-bit, grey or YCbCr) whose memory stays
 * near the output's: the quantised coefficients in one Int16Array per component (2 bytes a
 * sample) and the RGBA pixels, filled one MCU row at a time. jpeg-js, which the Node host used
 * alone before, allocates a typed array per 8x8 block: 1.5 GB to decode 48 megapixels. The
 * arithmetic is jpeg-js's (its integer IDCT, nearest-sample chroma, YCbCr → RGB truncated to
 * bytes), so the pixels are the same. What it does not take (CMYK, 12-bit, arithmetic coding,
 * markers it does not know) is an UnsupportedJpegError: node-image.ts hands those to jpeg-js,
 * which also recovers from some malformed headers. Broken image data is an error in both.
 */
import type { RGBAImage } from '../ops/image.js';

export class UnsupportedJpegError extends Error {
  override name = 'UnsupportedJpegError';
}

const ZIGZAG = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

/** A canonical Huffman table as code-length ranges (JPEG Annex C). */
interface Huffman {
  maxCode: Int32Array;
  offset: Int32Array;
  values: Uint8Array;
}

interface Component {
  h: number;
  v: number;
  /** The component's id in the frame header, which scans name it by. */
  id: number;
  quantizer: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Blocks per line and per column of the MCU grid (a multiple of h and v). */
  mcuLine: number;
  mcuColumn: number;
  coefficients: Int16Array;
  pred: number;
  dc?: Huffman;
  ac?: Huffman;
}

interface Frame {
  progressive: boolean;
  width: number;
  height: number;
  maxH: number;
  maxV: number;
  mcusPerLine: number;
  mcusPerColumn: number;
  components: Component[];
}

function buildHuffman(lengths: Uint8Array, values: Uint8Array): Huffman {
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    offset[len] = k - code;
    code += lengths[len - 1]!;
    k += lengths[len - 1]!;
    if (lengths[len - 1]) maxCode[len] = code - 1;
    code <<= 1;
  }
  return { maxCode, offset, values };
}

/** Decodes a JPEG; throws UnsupportedJpegError for what it does not handle (see above). */
export function decodeJpeg(data: Uint8Array): RGBAImage {
  let at = 0;
  const u16 = () => {
    if (at + 2 > data.length) throw new Error('the file ends before the image does (truncated?)');
    const v = (data[at]! << 8) | data[at + 1]!;
    at += 2;
    return v;
  };
  if (u16() !== 0xffd8) throw new Error('SOI not found');
  const quantization: Int32Array[] = [];
  const dcTables: Huffman[] = [];
  const acTables: Huffman[] = [];
  let frame: Frame | null = null;
  let resetInterval = 0;
  for (let marker = u16(); marker !== 0xffd9; marker = u16()) {
    if ((marker >= 0xffe0 && marker <= 0xffef) || marker === 0xfffe || marker === 0xffdc) {
      const length = u16();
      at += length - 2;
    } else if (marker === 0xffdb) {
      const length = u16();
      const end = at + length - 2;
      while (at < end) {
        const spec = data[at++]!;
        if (spec >> 4 > 1) throw new UnsupportedJpegError('DQT: invalid table spec');
        const table = new Int32Array(64);
        for (let j = 0; j < 64; j++) table[ZIGZAG[j]!] = spec >> 4 ? u16() : data[at++]!;
        quantization[spec & 15] = table;
      }
    } else if (marker === 0xffc4) {
      const length = u16();
      const end = at + length - 2;
      while (at < end) {
        const spec = data[at++]!;
        const lengths = data.slice(at, at + 16);
        at += 16;
        const count = lengths.reduce((a, b) => a + b, 0);
        (spec >> 4 ? acTables : dcTables)[spec & 15] = buildHuffman(lengths, data.slice(at, at + count));
        at += count;
      }
    } else if (marker === 0xffdd) {
      at += 2;
      resetInterval = u16();
    } else if (marker === 0xffc0 || marker === 0xffc1 || marker === 0xffc2) {
      if (frame) throw new UnsupportedJpegError('more than one frame');
      frame = readFrame(data, at + 2, marker === 0xffc2);
      const length = u16();
      at += length - 2;
    } else if (marker === 0xffda) {
      if (!frame) throw new Error('scan before frame');
      at += 2;
      const scan: Component[] = [];
      for (let n = data[at++]!; n > 0; n--) {
        const id = data[at++]!;
        const c = frame.components.find((x) => x.id === id);
        if (!c) throw new Error(`scan names unknown component ${id}`);
        c.dc = dcTables[data[at]! >> 4];
        c.ac = acTables[data[at++]! & 15];
        scan.push(c);
      }
      const [ss, se, a] = [data[at]!, data[at + 1]!, data[at + 2]!];
      at += 3;
      at = decodeScan(data, at, frame, scan, resetInterval, ss, se, a >> 4, a & 15);
    } else if (marker === 0xffff) {
      if (data[at] !== 0xff) at--; // fill bytes before a marker
    } else {
      throw new UnsupportedJpegError(`marker ${marker.toString(16)}`);
    }
  }
  if (!frame) throw new Error('no frame');
  return toRGBA(frame, quantization);
}

function readFrame(data: Uint8Array, at: number, progressive: boolean): Frame {
  if (data[at] !== 8) throw new UnsupportedJpegError(`${data[at]}-bit samples`);
  const height = (data[at + 1]! << 8) | data[at + 2]!;
  const width = (data[at + 3]! << 8) | data[at + 4]!;
  const count = data[at + 5]!;
  if (count !== 1 && count !== 3) throw new UnsupportedJpegError(`${count} components`);
  if (!(width > 0 && height > 0)) throw new Error(`size ${width}x${height}`);
  const specs = Array.from({ length: count }, (_, i) => ({ id: data[at + 6 + 3 * i]!, h: data[at + 7 + 3 * i]! >> 4, v: data[at + 7 + 3 * i]! & 15, q: data[at + 8 + 3 * i]! }));
  if (specs.some((s) => s.h < 1 || s.v < 1)) throw new Error('Invalid sampling factor, expected values above 0');
  const maxH = Math.max(...specs.map((s) => s.h));
  const maxV = Math.max(...specs.map((s) => s.v));
  const mcusPerLine = Math.ceil(width / 8 / maxH);
  const mcusPerColumn = Math.ceil(height / 8 / maxV);
  const components = specs.map((s) => ({
    h: s.h, v: s.v, id: s.id, quantizer: s.q, pred: 0,
    blocksPerLine: Math.ceil((Math.ceil(width / 8) * s.h) / maxH),
    blocksPerColumn: Math.ceil((Math.ceil(height / 8) * s.v) / maxV),
    mcuLine: mcusPerLine * s.h,
    mcuColumn: mcusPerColumn * s.v,
    coefficients: new Int16Array(mcusPerLine * s.h * mcusPerColumn * s.v * 64),
  }));
  return { progressive, width, height, maxH, maxV, mcusPerLine, mcusPerColumn, components };
}

type BlockDecoder = (c: Component, at: number) => void;

/** One scan's entropy-coded data into the coefficients (jpeg-js's decodeScan); returns where it ends. */
function decodeScan(data: Uint8Array, start: number, frame: Frame, components: Component[], resetInterval: number,
  spectralStart: number, spectralEnd: number, successivePrev: number, successive: number): number {
  let offset = start;
  let bitsData = 0;
  let bitsCount = 0;
  const readBit = (): number => {
    if (bitsCount > 0) return (bitsData >> --bitsCount) & 1;
    // jpeg-js reads zeros past the end, and then fails for want of the next marker: fail now.
    if (offset >= data.length) throw new Error('the image data ends early (truncated?)');
    bitsData = data[offset++]!;
    if (bitsData === 0xff) {
      const next = data[offset++];
      if (next) throw new Error(`unexpected marker: ${((bitsData << 8) | next).toString(16)}`);
    }
    bitsCount = 7;
    return bitsData >>> 7;
  };
  const decodeHuffman = (t: Huffman | undefined): number => {
    if (!t) throw new Error('scan uses an undefined Huffman table');
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | readBit();
      if (code <= t.maxCode[len]!) return t.values[t.offset[len]! + code]!;
    }
    throw new Error('invalid huffman sequence');
  };
  const receive = (length: number): number => {
    let n = 0;
    for (; length > 0; length--) n = (n << 1) | readBit();
    return n;
  };
  const receiveAndExtend = (length: number): number => {
    const n = receive(length);
    return n >= 1 << (length - 1) ? n : n + (-1 << length) + 1;
  };

  let eobrun = 0;
  let acState = 0;
  let acNext = 0;
  const baseline: BlockDecoder = (c, z0) => {
    const zz = c.coefficients;
    const t = decodeHuffman(c.dc);
    zz[z0] = c.pred += t === 0 ? 0 : receiveAndExtend(t);
    for (let k = 1; k < 64;) {
      const rs = decodeHuffman(c.ac);
      const s = rs & 15, r = rs >> 4;
      if (s === 0) {
        if (r < 15) break;
        k += 16;
        continue;
      }
      k += r;
      const value = receiveAndExtend(s);
      if (k < 64) zz[z0 + ZIGZAG[k]!] = value;
      k++;
    }
  };
  const dcFirst: BlockDecoder = (c, z0) => {
    const t = decodeHuffman(c.dc);
    c.coefficients[z0] = c.pred += t === 0 ? 0 : receiveAndExtend(t) << successive;
  };
  const dcSuccessive: BlockDecoder = (c, z0) => {
    c.coefficients[z0]! |= readBit() << successive;
  };
  const acFirst: BlockDecoder = (c, z0) => {
    if (eobrun > 0) {
      eobrun--;
      return;
    }
    for (let k = spectralStart; k <= spectralEnd;) {
      const rs = decodeHuffman(c.ac);
      const s = rs & 15, r = rs >> 4;
      if (s === 0) {
        if (r < 15) {
          eobrun = receive(r) + (1 << r) - 1;
          break;
        }
        k += 16;
        continue;
      }
      k += r;
      const value = receiveAndExtend(s) * (1 << successive);
      if (k < 64) c.coefficients[z0 + ZIGZAG[k]!] = value;
      k++;
    }
  };
  const acSuccessive: BlockDecoder = (c, z0) => {
    const zz = c.coefficients;
    let r = 0;
    for (let k = spectralStart; k <= spectralEnd;) {
      const z = z0 + ZIGZAG[k]!;
      const direction = zz[z]! < 0 ? -1 : 1;
      switch (acState) {
        case 0: {
          const rs = decodeHuffman(c.ac);
          const s = rs & 15;
          r = rs >> 4;
          if (s === 0) {
            if (r < 15) {
              eobrun = receive(r) + (1 << r);
              acState = 4;
            } else {
              r = 16;
              acState = 1;
            }
          } else {
            if (s !== 1) throw new Error('invalid ACn encoding');
            acNext = receiveAndExtend(s);
            acState = r ? 2 : 3;
          }
          continue;
        }
        case 1:
        case 2:
          if (zz[z]) zz[z] += (readBit() << successive) * direction;
          else if (--r === 0) acState = acState === 2 ? 3 : 0;
          break;
        case 3:
          if (zz[z]) zz[z] += (readBit() << successive) * direction;
          else {
            zz[z] = acNext << successive;
            acState = 0;
          }
          break;
        case 4:
          if (zz[z]) zz[z] += (readBit() << successive) * direction;
          break;
      }
      k++;
    }
    if (acState === 4 && --eobrun === 0) acState = 0;
  };
  const decode = !frame.progressive ? baseline
    : spectralStart === 0 ? (successivePrev === 0 ? dcFirst : dcSuccessive)
      : (successivePrev === 0 ? acFirst : acSuccessive);

  // Blocks past the MCU grid (a malformed scan) are skipped, as jpeg-js's tolerant mode does.
  const block = (c: Component, row: number, col: number) => {
    if (row < c.mcuColumn) decode(c, (row * c.mcuLine + col) * 64);
  };
  const single = components.length === 1 ? components[0]! : null;
  const expected = single ? single.blocksPerLine * single.blocksPerColumn : frame.mcusPerLine * frame.mcusPerColumn;
  const interval = resetInterval || expected;
  let mcu = 0;
  while (mcu < expected) {
    for (const c of components) c.pred = 0;
    eobrun = 0;
    for (let n = 0; n < interval && mcu < expected; n++, mcu++) {
      if (single) {
        block(single, (mcu / single.blocksPerLine) | 0, mcu % single.blocksPerLine);
        continue;
      }
      const mcuRow = (mcu / frame.mcusPerLine) | 0;
      const mcuCol = mcu % frame.mcusPerLine;
      for (const c of components) {
        for (let j = 0; j < c.v; j++) for (let k = 0; k < c.h; k++) block(c, mcuRow * c.v + j, mcuCol * c.h + k);
      }
    }
    if (mcu === expected) {
      // Trailing bytes of the scan, up to the next marker.
      while (offset < data.length - 2 && !(data[offset] === 0xff && data[offset + 1] !== 0)) offset++;
    }
    bitsCount = 0;
    const marker = (data[offset]! << 8) | data[offset + 1]!;
    if (marker < 0xff00) throw new Error('marker was not found');
    if (marker >= 0xffd0 && marker <= 0xffd7) offset += 2; // RSTn: the next interval
    else break;
  }
  return offset;
}

const C1 = 4017, S1 = 799, C3 = 3406, S3 = 2276, C6 = 1567, S6 = 3784, SQRT2 = 5793, SQRT1D2 = 2896;

/** Dequantises and inverse-transforms one block into 8x8 bytes (jpeg-js's port of poppler's IDCT). */
function idct(zz: Int16Array, z0: number, qt: Int32Array, p: Int32Array, out: Uint8Array, o: number, stride: number): void {
  for (let i = 0; i < 64; i++) p[i] = zz[z0 + i]! * qt[i]!;
  for (let row = 0; row < 64; row += 8) idctPass(p, row, 1, 8, 16);
  for (let col = 0; col < 8; col++) idctPass(p, col, 8, 12, 1);
  for (let i = 0; i < 64; i++) {
    const s = 128 + ((p[i]! + 8) >> 4);
    out[o + (i >> 3) * stride + (i & 7)] = s < 0 ? 0 : s > 255 ? 255 : s;
  }
}

/**
 * One 1-D pass over p[base + k·step], k = 0…7, in place: the rows with products rounded to
 * 8 fractional bits and odd inputs scaled by 16, then the columns with 12 bits and no scaling.
 */
function idctPass(p: Int32Array, base: number, step: number, shift: number, oddScale: number): void {
  const i1 = base + step, i2 = i1 + step, i3 = i2 + step, i4 = i3 + step, i5 = i4 + step, i6 = i5 + step, i7 = i6 + step;
  const round = 1 << (shift - 1);
  if (!p[i1] && !p[i2] && !p[i3] && !p[i4] && !p[i5] && !p[i6] && !p[i7]) { // DC only
    const t = (SQRT2 * p[base]! + 4 * round) >> (shift + 2);
    p[base] = p[i1] = p[i2] = p[i3] = p[i4] = p[i5] = p[i6] = p[i7] = t;
    return;
  }
  let v0 = (SQRT2 * p[base]! + round) >> shift, v1 = (SQRT2 * p[i4]! + round) >> shift;
  let v2 = p[i2]!, v3 = p[i6]!;
  let v4 = (SQRT1D2 * (p[i1]! - p[i7]!) + round) >> shift, v7 = (SQRT1D2 * (p[i1]! + p[i7]!) + round) >> shift;
  let v5 = p[i3]! * oddScale, v6 = p[i5]! * oddScale;
  let t = (v0 - v1 + 1) >> 1; v0 = (v0 + v1 + 1) >> 1; v1 = t;
  t = (v2 * S6 + v3 * C6 + round) >> shift; v2 = (v2 * C6 - v3 * S6 + round) >> shift; v3 = t;
  t = (v4 - v6 + 1) >> 1; v4 = (v4 + v6 + 1) >> 1; v6 = t;
  t = (v7 + v5 + 1) >> 1; v5 = (v7 - v5 + 1) >> 1; v7 = t;
  t = (v0 - v3 + 1) >> 1; v0 = (v0 + v3 + 1) >> 1; v3 = t;
  t = (v1 - v2 + 1) >> 1; v1 = (v1 + v2 + 1) >> 1; v2 = t;
  t = (v4 * S3 + v7 * C3 + 2048) >> 12; v4 = (v4 * C3 - v7 * S3 + 2048) >> 12; v7 = t;
  t = (v5 * S1 + v6 * C1 + 2048) >> 12; v5 = (v5 * C1 - v6 * S1 + 2048) >> 12; v6 = t;
  p[base] = v0 + v7; p[i7] = v0 - v7; p[i1] = v1 + v6; p[i6] = v1 - v6;
  p[i2] = v2 + v5; p[i5] = v2 - v5; p[i3] = v3 + v4; p[i4] = v3 - v4;
}

/** Samples → RGBA, one MCU row at a time: each component's rows of it, then colour conversion. */
function toRGBA(frame: Frame, quantization: Int32Array[]): RGBAImage {
  const { width, height, maxH, maxV, components } = frame;
  const rgba = new Uint8Array(width * height * 4);
  const p = new Int32Array(64);
  const planes = components.map((c) => {
    const qt = quantization[c.quantizer];
    if (!qt) throw new Error('missing quantization table');
    const stride = c.blocksPerLine * 8;
    // jpeg-js's nearest sample: line ⌊y·v/maxV⌋, column ⌊x·h/maxH⌋.
    const sx = c.h / maxH, sy = c.v / maxV;
    return { c, qt, stride, sy, band: new Uint8Array(stride * c.v * 8), cols: Int32Array.from({ length: width }, (_, x) => (x * sx) | 0) };
  });
  for (let mcuRow = 0; mcuRow < frame.mcusPerColumn; mcuRow++) {
    for (const { c, qt, stride, band } of planes) {
      for (let j = 0; j < c.v; j++) {
        const row = mcuRow * c.v + j;
        if (row >= c.blocksPerColumn) break;
        for (let col = 0; col < c.blocksPerLine; col++) idct(c.coefficients, (row * c.mcuLine + col) * 64, qt, p, band, j * 8 * stride + col * 8, stride);
      }
    }
    const y1 = Math.min(height, (mcuRow + 1) * 8 * maxV);
    for (let y = mcuRow * 8 * maxV; y < y1; y++) {
      const lines = planes.map(({ c, stride, sy }) => (((y * sy) | 0) - mcuRow * 8 * c.v) * stride);
      let o = y * width * 4;
      if (planes.length === 1) {
        const { band, cols } = planes[0]!;
        for (let x = 0; x < width; x++, o += 4) {
          rgba[o] = rgba[o + 1] = rgba[o + 2] = band[lines[0]! + cols[x]!]!;
          rgba[o + 3] = 255;
        }
        continue;
      }
      const [py, pb, pr] = planes as [typeof planes[0], typeof planes[0], typeof planes[0]];
      const [ly, lb, lr] = lines as [number, number, number];
      for (let x = 0; x < width; x++, o += 4) {
        const Y = py.band[ly + py.cols[x]!]!, Cb = pb.band[lb + pb.cols[x]!]!, Cr = pr.band[lr + pr.cols[x]!]!;
        const R = Y + 1.402 * (Cr - 128);
        const G = Y - 0.3441363 * (Cb - 128) - 0.71413636 * (Cr - 128);
        const B = Y + 1.772 * (Cb - 128);
        rgba[o] = R < 0 ? 0 : R > 255 ? 255 : R;
        rgba[o + 1] = G < 0 ? 0 : G > 255 ? 255 : G;
        rgba[o + 2] = B < 0 ? 0 : B > 255 ? 255 : B;
        rgba[o + 3] = 255;
      }
    }
  }
  return { data: rgba, width, height };
}
