/**
 * Sound for 1-D convnets: a WAV (RIFF) reader for 8/16/24/32-bit integer and 32-bit float PCM,
 * mixed down to mono in [-1, 1]; resampling; and fitting a clip to a fixed length around its
 * loud part. Streamed WAVs (espeak-ng --stdout) carry placeholder sizes: the data chunk is
 * read up to the end of the bytes.
 */

export class WavError extends Error {
  override name = 'WavError';
}

export interface Sound {
  sampleRate: number;
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
}

export function parseWav(bytes: Uint8Array, what = 'WAV'): Sound {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavError(`${what}: not a RIFF/WAVE file`);
  let format: { code: number; channels: number; rate: number; bits: number } | null = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new WavError(`${what}: fmt chunk of ${size} bytes is too short`);
      let code = view.getUint16(body, true);
      if (code === 0xfffe && size >= 40) code = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE: the sub-format
      format = { code, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!format) throw new WavError(`${what}: data chunk before the fmt chunk`);
      return decode(view, body, Math.min(size, bytes.length - body), format, what);
    }
    at = body + size + (size % 2);
  }
  throw new WavError(`${what}: no ${format ? 'data' : 'fmt'} chunk`);
}

function decode(view: DataView, start: number, length: number, f: { code: number; channels: number; rate: number; bits: number }, what: string): Sound {
  const pcm = f.code === 1 && [8, 16, 24, 32].includes(f.bits);
  const float = f.code === 3 && f.bits === 32;
  if (!pcm && !float) throw new WavError(`${what}: format ${f.code} with ${f.bits} bits per sample is not integer PCM (8/16/24/32) or 32-bit float`);
  if (!(f.channels >= 1) || !(f.rate >= 1)) throw new WavError(`${what}: ${f.channels} channels at ${f.rate} Hz`);
  const bytesPer = f.bits / 8;
  const frames = Math.floor(length / (bytesPer * f.channels));
  const samples = new Float32Array(frames);
  const read = (at: number): number => {
    if (float) return view.getFloat32(at, true);
    if (f.bits === 8) return (view.getUint8(at) - 128) / 128;
    if (f.bits === 16) return view.getInt16(at, true) / 32768;
    if (f.bits === 24) return (((view.getUint8(at + 2) << 24) | (view.getUint8(at + 1) << 16) | (view.getUint8(at) << 8)) >> 8) / 8388608;
    return view.getInt32(at, true) / 2147483648;
  };
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < f.channels; c++) s += read(start + (i * f.channels + c) * bytesPer);
    samples[i] = s / f.channels;
  }
  return { sampleRate: f.rate, samples };
}

/**
 * Resamples to `rate`: each output sample is the mean of the input over its interval (a box
 * low-pass when downsampling, so little aliasing), linear interpolation when upsampling.
 */
export function resample(sound: Sound, rate: number): Sound {
  const { samples, sampleRate: from } = sound;
  if (!(rate > 0)) throw new RangeError(`resample: rate must be positive, got ${rate}`);
  const n = Math.floor((samples.length * rate) / from);
  const out = new Float32Array(n);
  const step = from / rate;
  for (let i = 0; i < n; i++) {
    if (step > 1) {
      const a = Math.floor(i * step), b = Math.min(samples.length, Math.max(a + 1, Math.floor((i + 1) * step)));
      let s = 0;
      for (let k = a; k < b; k++) s += samples[k]!;
      out[i] = s / (b - a);
    } else {
      const x = i * step, k = Math.floor(x), t = x - k;
      out[i] = samples[k]! * (1 - t) + (samples[Math.min(k + 1, samples.length - 1)] ?? 0) * t;
    }
  }
  return { sampleRate: rate, samples: out };
}

/**
 * Exactly `length` samples: the span from the first to the last sample louder than `threshold`
 * of the peak, centred (padded with silence, or its middle cut out when longer), then scaled to
 * peak 1 (silence stays silence).
 */
export function fitLength(samples: Float32Array, length: number, threshold = 0.05): Float32Array {
  if (!(Number.isInteger(length) && length >= 1)) throw new RangeError(`fitLength: length must be a positive integer, got ${length}`);
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  const out = new Float32Array(length);
  if (peak === 0) return out;
  let first = 0, last = samples.length - 1;
  while (Math.abs(samples[first]!) < threshold * peak) first++;
  while (Math.abs(samples[last]!) < threshold * peak) last--;
  const span = last - first + 1;
  const from = span > length ? first + Math.floor((span - length) / 2) : first;
  const to = Math.floor((length - Math.min(span, length)) / 2);
  for (let i = 0; i < Math.min(span, length); i++) out[to + i] = samples[from + i]! / peak;
  return out;
}
