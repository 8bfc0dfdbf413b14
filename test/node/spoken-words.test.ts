import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { speak, spokenWords } from '../../bench/eval/spoken-words.js';
import { parseWav } from '../../src/tasks/training/wav.js';
import { assert, assertClose, assertEqual } from '../util/assert.js';

describe('spoken words (espeak-ng)', () => {
  it('reads espeak-ng output: 16-bit mono at 22,050 Hz, every sample as in the raw data', async () => {
    const bytes = await speak({ word: 'seven', voice: 'en-us+f2', speed: 160, pitch: 50 });
    const s = parseWav(bytes);
    assertEqual(s.sampleRate, 22050);
    // The data follow a 44-byte header: the samples are its int16 values / 32768.
    const raw = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + 44 + 2 * Math.floor((bytes.length - 44) / 2)));
    assertClose(s.samples, Array.from(raw, (v) => v / 32768), { atol: 0, rtol: 0 }, 'samples');
    assert(s.samples.length > 0.2 * 22050 && s.samples.length < 2 * 22050, `"seven" lasts ${(s.samples.length / 22050).toFixed(2)} s`);
    assert(Math.max(...s.samples.map(Math.abs)) > 0.1, 'not silent');
  });

  it('a set of fixed-length signals, labelled, varied across utterances, the same again from its cache', async function () {
    this.timeout(60_000);
    const cacheDir = mkdtempSync(join(tmpdir(), 'words-'));
    try {
      const o = { words: ['yes', 'no'], perWord: 3, rate: 8000, length: 4000, seed: 4, cacheDir };
      const a = await spokenWords(o);
      assertEqual([a.count, ...a.shape], [6, 4000, 1]);
      assertEqual(Array.from(a.labels), [0, 1, 0, 1, 0, 1]);
      assertEqual(a.images.length, 6 * 4000);
      assert(new Set(a.utterances.map((u) => `${u.voice} ${u.speed} ${u.pitch}`)).size === 6, 'six different voices/speeds/pitches');
      for (let i = 0; i < 6; i++) {
        const s = a.images.subarray(i * 4000, (i + 1) * 4000);
        assertEqual(Math.max(...s.map(Math.abs)), 1, `utterance ${i} peak`);
      }
      const b = await spokenWords(o);
      assertClose(b.images, a.images, { atol: 0, rtol: 0 }, 'cached set');
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
    assert(execFileSync('espeak-ng', ['--version']).toString().includes('eSpeak NG'), 'espeak-ng answers');
  });
});
