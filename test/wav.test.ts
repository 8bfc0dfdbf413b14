import { fitLength, parseWav, resample, WavError } from '../src/tasks/training/wav.js';
import { assert, assertClose, assertEqual, assertRejects } from './util/assert.js';
import { Rng } from './util/random.js';

/** A WAV file written by hand: `frames` [frame][channel] in [-1, 1] as the given PCM format. */
function wavBytes(frames: number[][], o: { rate: number; bits: 8 | 16 | 24 | 32; float?: boolean; extraChunk?: boolean }): Uint8Array {
  const channels = frames[0]!.length, bytesPer = o.bits / 8;
  const data = frames.length * channels * bytesPer;
  const extra = o.extraChunk ? 8 + 3 + 1 : 0; // an odd-sized chunk (padded) before the data
  const buf = new DataView(new ArrayBuffer(44 + extra + data));
  const tag = (at: number, s: string) => [...s].forEach((ch, i) => buf.setUint8(at + i, ch.charCodeAt(0)));
  tag(0, 'RIFF'); buf.setUint32(4, 36 + extra + data, true); tag(8, 'WAVE');
  tag(12, 'fmt '); buf.setUint32(16, 16, true); buf.setUint16(20, o.float ? 3 : 1, true); buf.setUint16(22, channels, true);
  buf.setUint32(24, o.rate, true); buf.setUint32(28, o.rate * channels * bytesPer, true); buf.setUint16(32, channels * bytesPer, true); buf.setUint16(34, o.bits, true);
  let at = 36;
  if (o.extraChunk) { tag(at, 'LIST'); buf.setUint32(at + 4, 3, true); at += 12; }
  tag(at, 'data'); buf.setUint32(at + 4, data, true); at += 8;
  for (const f of frames) for (const v of f) {
    if (o.float) buf.setFloat32(at, v, true);
    else if (o.bits === 8) buf.setUint8(at, Math.round(v * 127) + 128);
    else if (o.bits === 16) buf.setInt16(at, Math.round(v * 32767), true);
    else if (o.bits === 24) { const q = Math.round(v * 8388607); buf.setUint8(at, q & 255); buf.setUint8(at + 1, (q >> 8) & 255); buf.setUint8(at + 2, (q >> 16) & 255); }
    else buf.setInt32(at, Math.round(v * 2147483647), true);
    at += bytesPer;
  }
  return new Uint8Array(buf.buffer);
}

describe('sound: WAV reader, resampling, fixed length', () => {
  it('reads 8/16/24/32-bit PCM and float WAVs, mono and stereo (mixed down), skipping other chunks', () => {
    const rng = new Rng(71);
    for (const [bits, float, channels, extraChunk] of [[8, false, 1, false], [16, false, 2, true], [24, false, 1, true], [32, false, 2, false], [32, true, 1, false]] as const) {
      const frames = Array.from({ length: 50 }, () => Array.from({ length: channels }, () => rng.uniform(-0.9, 0.9)));
      const s = parseWav(wavBytes(frames, { rate: 11025, bits, float, extraChunk }));
      assertEqual(s.sampleRate, 11025);
      const step = Math.max(1e-7, 2 / 2 ** bits); // float32 holds about 7 digits
      assertClose(s.samples, frames.map((f) => f.reduce((a, b) => a + b, 0) / channels), { atol: 1.5 * step, rtol: 0 }, `${bits}-bit${float ? ' float' : ''} x${channels}`);
    }
  });

  it('reads a streamed WAV whose sizes are placeholders (espeak-ng --stdout), and names bad files', async () => {
    const bytes = wavBytes([[0.5], [-0.25], [0.125]], { rate: 22050, bits: 16 });
    new DataView(bytes.buffer).setUint32(40, 0x7ffff000, true); // the data size espeak-ng writes to a pipe
    assertClose(parseWav(bytes).samples, [0.5, -0.25, 0.125], { atol: 1e-4, rtol: 0 });
    await assertRejects(() => parseWav(new Uint8Array(20), 'x.wav'), /WavError: x.wav: not a RIFF\/WAVE file/);
    const mulaw = wavBytes([[0]], { rate: 8000, bits: 8 });
    new DataView(mulaw.buffer).setUint16(20, 7, true);
    await assertRejects(() => parseWav(mulaw), /format 7 with 8 bits per sample is not integer PCM/);
    assert(new WavError('m') instanceof Error, 'WavError is an Error');
  });

  it('resamples: a tone keeps its frequency; length scales with the rate', () => {
    const from = 22050, hz = 440;
    const samples = Float32Array.from({ length: from }, (_, i) => Math.sin((2 * Math.PI * hz * i) / from));
    for (const rate of [8000, 44100]) {
      const r = resample({ sampleRate: from, samples }, rate);
      assertEqual([r.sampleRate, r.samples.length], [rate, rate]);
      let crossings = 0;
      for (let i = 1; i < r.samples.length; i++) if ((r.samples[i - 1]! < 0) !== (r.samples[i]! < 0)) crossings++;
      assert(Math.abs(crossings - 2 * hz) <= 2, `${rate} Hz: ${crossings} zero crossings in 1 s, a ${hz} Hz tone has ${2 * hz}`);
      const mid = Math.floor(rate / 2);
      assertClose([r.samples[mid]!], [Math.sin((2 * Math.PI * hz * mid) / rate)], { atol: 0.12, rtol: 0 }, `${rate} Hz sample`);
    }
  });

  it('fitLength: exactly n samples, the loud part centred and scaled to peak 1', () => {
    const sound = new Float32Array(100);
    for (let i = 30; i < 50; i++) sound[i] = 0.5 * Math.sin(i);
    sound[40] = -0.8;
    const out = fitLength(sound, 60);
    assertEqual(out.length, 60);
    let first = 0, last = 59;
    while (Math.abs(out[first]!) < 0.05) first++;
    while (Math.abs(out[last]!) < 0.05) last--;
    assert(Math.abs(first + last - 59) <= 1, `loud part [${first}, ${last}] centred in 60`);
    assertEqual(Math.max(...out.map(Math.abs)), 1);
    const cut = fitLength(sound, 10);
    assertClose(cut, Array.from(sound.subarray(35, 45), (v) => v / 0.8), { atol: 1e-6, rtol: 0 }, 'middle of a part longer than n');
    assertEqual(Array.from(fitLength(new Float32Array(5), 3)), [0, 0, 0]);
  });
});
