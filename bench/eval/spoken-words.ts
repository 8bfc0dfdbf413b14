/**
 * Spoken words synthesised with espeak-ng (Debian's `espeak-ng`) in many voices, speeds and
 * pitches, as fixed-length 1-D signals [length, 1] for 1-D convnets: each example is one call
 * `espeak-ng -v VOICE+VARIANT -s SPEED -p PITCH --stdout WORD`, its WAV read (src's wav.ts),
 * resampled (8 kHz by default) and fitted to `length` samples around its loud part, peak 1.
 * A set is cached under build/ by its parameters, so a second run synthesises nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LabelledImages } from '../../src/tasks/training/dataset.js';
import { SeededRandom } from '../../src/tasks/training/random.js';
import { fitLength, parseWav, resample } from '../../src/tasks/training/wav.js';

const run = promisify(execFile);

/** English accents of espeak-ng, and voice variants (the `+name` suffix) that change timbre and sex. */
export const ESPEAK_VOICES = ['en', 'en-us', 'en-gb-scotland', 'en-gb-x-rp', 'en-029', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd'] as const;
export const ESPEAK_VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5', 'klatt', 'whisper', 'croak'] as const;

export interface Utterance {
  word: string;
  voice: string;
  /** Words per minute. */
  speed: number;
  /** 0-99. */
  pitch: number;
}

/** One utterance as WAV bytes (espeak-ng writes 16-bit mono at 22,050 Hz). */
export async function speak(u: Utterance): Promise<Uint8Array> {
  try {
    const { stdout } = await run('espeak-ng', ['-v', u.voice, '-s', String(u.speed), '-p', String(u.pitch), '--stdout', u.word], { encoding: 'buffer', maxBuffer: 1 << 24 });
    return new Uint8Array(stdout);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'espeak-ng is not installed (apt-get install espeak-ng, or sudo bash scripts/install-system.sh)' : String(e);
    throw new Error(`espeak-ng -v ${u.voice} ${JSON.stringify(u.word)}: ${why}`);
  }
}

/** An utterance as exactly `length` samples at `rate`. */
export async function speakSignal(u: Utterance, rate: number, length: number): Promise<Float32Array> {
  const sound = parseWav(await speak(u), `espeak-ng ${JSON.stringify(u.word)}`);
  return fitLength(resample(sound, rate).samples, length);
}

export interface SpokenWordsOptions {
  words: readonly string[];
  perWord: number;
  rate?: number;
  length?: number;
  seed?: number;
  /** Folder of cached sets (none: no cache). */
  cacheDir?: string;
}

/** `perWord` utterances of each word with a random voice, variant, speed (110-230 wpm) and pitch (15-85). */
export async function spokenWords(o: SpokenWordsOptions): Promise<LabelledImages & { utterances: Utterance[] }> {
  const rate = o.rate ?? 8000, length = o.length ?? rate;
  const random = new SeededRandom(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[random.below(xs.length)]!;
  const utterances: Utterance[] = [];
  for (let k = 0; k < o.perWord; k++) {
    for (const word of o.words) utterances.push({ word, voice: `${pick(ESPEAK_VOICES)}+${pick(ESPEAK_VARIANTS)}`, speed: 110 + random.below(121), pitch: 15 + random.below(71) });
  }
  const key = `words-${o.words.join('_')}-${o.perWord}-${rate}-${length}-${o.seed ?? 1}`.replace(/[^a-z0-9_-]/gi, '');
  const cached = o.cacheDir ? join(o.cacheDir, `${key}.f32`) : null;
  let images = new Float32Array(0);
  if (cached && existsSync(cached)) {
    const bytes = readFileSync(cached);
    images = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  if (images.length !== utterances.length * length) {
    images = new Float32Array(utterances.length * length);
    // A few processes at once: each call is mostly process start-up.
    for (let i = 0; i < utterances.length; i += 8) {
      const batch = await Promise.all(utterances.slice(i, i + 8).map((u) => speakSignal(u, rate, length)));
      batch.forEach((s, j) => images.set(s, (i + j) * length));
    }
    if (cached) {
      mkdirSync(o.cacheDir!, { recursive: true });
      writeFileSync(cached, new Uint8Array(images.buffer));
    }
  }
  const labels = Int32Array.from(utterances, (u) => o.words.indexOf(u.word));
  return { images, labels, shape: [length, 1], count: utterances.length, classNames: o.words, utterances };
}
