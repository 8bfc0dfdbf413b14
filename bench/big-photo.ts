/**
 * `npm run bench:photo`: verify() of two 48-megapixel JPEGs (8000x6000, as many phone cameras
 * take) through the public Node API, in a fresh process per pair so that its peak RSS is the
 * pair's alone. The photos are made here from 250x250 LFW photos (upscaled bilinearly to
 * 6000x6000 on a grey 8000x6000 canvas, JPEG quality 90); the second is stored sideways with
 * EXIF orientation 6, as phones store photos taken upright with the phone turned. Prints peak
 * RSS, time, faces found and the verdict; writes bench/results/big-photo.json.
 * Usage: node build/bench/big-photo.js   (internally: --verify A.jpg B.jpg)
 */
import jpeg from 'jpeg-js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFaceRecognizer } from '../src/host/node.js';
import { decodeImage } from '../src/host/node-image.js';
import type { RGBAImage } from '../src/ops/image.js';
import { withExifOrientation } from '../test/util/exif-jpeg.js';
import { parseOptions } from './args.js';

const W = 8000, H = 6000, SIDE = 6000, LEFT = 1000;
const LFW = '../shared/data/lfw-view1/images';
/** The budget this benchmark checks: verify() of two 48-megapixel photos in at most 1.5 GB of peak RSS. */
const PEAK_RSS_LIMIT_MB = 1500;

interface PairResult {
  a: string;
  b: string;
  same: boolean;
  modelsSeconds: number;
  /** verify(): both decodes, detection, landmarks and descriptors. */
  verifySeconds: number;
  peakRssMB: number;
  faces: [number, number];
  match: boolean;
  distance: number;
}

/** The upright photo's pixel (x, y) of the 8000x6000 canvas: grey, or the photo bilinearly upscaled. */
function canvasPixel(photo: RGBAImage, x: number, y: number, out: Uint8Array, o: number): void {
  out[o + 3] = 255;
  if (x < LEFT || x >= LEFT + SIDE) {
    out[o] = out[o + 1] = out[o + 2] = 128;
    return;
  }
  const u = ((x - LEFT + 0.5) * photo.width) / SIDE - 0.5;
  const v = ((y + 0.5) * photo.height) / SIDE - 0.5;
  const x0 = Math.max(0, Math.floor(u)), y0 = Math.max(0, Math.floor(v));
  const x1 = Math.min(photo.width - 1, x0 + 1), y1 = Math.min(photo.height - 1, y0 + 1);
  const fx = Math.min(1, Math.max(0, u - x0)), fy = Math.min(1, Math.max(0, v - y0));
  const d = photo.data;
  for (let c = 0; c < 3; c++) {
    const top = d[(y0 * photo.width + x0) * 4 + c]! * (1 - fx) + d[(y0 * photo.width + x1) * 4 + c]! * fx;
    const bottom = d[(y1 * photo.width + x0) * 4 + c]! * (1 - fx) + d[(y1 * photo.width + x1) * 4 + c]! * fx;
    out[o + c] = top * (1 - fy) + bottom * fy;
  }
}

/** A 48-MP JPEG of an LFW photo; `sideways` stores it turned 90° anticlockwise with EXIF orientation 6. */
function bigJpeg(lfwPath: string, sideways: boolean): Uint8Array {
  const photo = decodeImage(readFileSync(join(LFW, lfwPath)), lfwPath);
  const [w, h] = sideways ? [H, W] : [W, H];
  const data = new Uint8Array(w * h * 4);
  for (let sy = 0; sy < h; sy++) {
    // Orientation 6 shows stored (sx, sy) at upright (h - 1 - sy, sx).
    for (let sx = 0; sx < w; sx++) sideways ? canvasPixel(photo, h - 1 - sy, sx, data, (sy * w + sx) * 4) : canvasPixel(photo, sx, sy, data, (sy * w + sx) * 4);
  }
  const file = new Uint8Array(jpeg.encode({ data, width: w, height: h }, 90).data);
  return sideways ? withExifOrientation(file, 6) : file;
}

/** The child: one verify of two files, then its own peak RSS. */
async function verifyChild(a: string, b: string): Promise<void> {
  let t = performance.now();
  const faces = await createFaceRecognizer();
  const modelsSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const r = await faces.verify(new Uint8Array(readFileSync(a)), new Uint8Array(readFileSync(b)));
  const verifySeconds = (performance.now() - t) / 1000;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ modelsSeconds, verifySeconds, peakRssMB, faces: [r.facesA.length, r.facesB.length], match: r.match, distance: r.distance })}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wgsl-vision-big-photo-'));
  try {
    const t = performance.now();
    const files = {
      a: ['Aaron_Peirsol/Aaron_Peirsol_0001.jpg', false],
      b: ['Aaron_Peirsol/Aaron_Peirsol_0002.jpg', true],
      c: ['Aaron_Sorkin/Aaron_Sorkin_0001.jpg', false],
    } as const;
    const paths: Record<string, string> = {};
    for (const [key, [lfw, sideways]] of Object.entries(files)) {
      paths[key] = join(dir, `${key}.jpg`);
      const bytes = bigJpeg(lfw, sideways);
      writeFileSync(paths[key]!, bytes);
      console.log(`${key}.jpg: ${lfw} as ${W}x${H}${sideways ? ' stored sideways (EXIF orientation 6)' : ''}, ${(bytes.length / 1e6).toFixed(1)} MB`);
    }
    console.log(`photos made in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const pairs: PairResult[] = [];
    for (const [a, b, same] of [['a', 'b', true], ['a', 'c', false]] as const) {
      const child = spawnSync(process.execPath, [process.argv[1]!, '--verify', paths[a]!, paths[b]!], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`verify ${a}.jpg ${b}.jpg exited ${child.status}`);
      const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<PairResult, 'a' | 'b' | 'same'>;
      pairs.push({ a: files[a][0], b: files[b][0], same, ...r });
    }
    console.log(`${'pair'.padEnd(40)} faces  verdict    distance  verify s  models s  peak RSS`);
    for (const p of pairs) {
      const name = `${p.a.split('/')[1]!.replace('.jpg', '')} – ${p.b.split('/')[1]!.replace('.jpg', '')}`;
      const verdict = `${p.match ? 'match' : 'no match'}${p.match === p.same ? '' : ' (WRONG)'}`;
      console.log(`${name.padEnd(40)} ${`${p.faces[0]}+${p.faces[1]}`.padEnd(6)} ${verdict.padEnd(10)} ${p.distance.toFixed(4).padStart(8)} ${p.verifySeconds.toFixed(1).padStart(9)} ${p.modelsSeconds.toFixed(1).padStart(9)} ${`${p.peakRssMB.toFixed(0)} MB`.padStart(9)}`);
    }
    const worst = Math.max(...pairs.map((p) => p.peakRssMB));
    const ok = worst <= PEAK_RSS_LIMIT_MB && pairs.every((p) => p.faces.every((n) => n === 1) && p.match === p.same);
    console.log(`\npeak RSS at most ${worst.toFixed(0)} MB (limit ${PEAK_RSS_LIMIT_MB} MB); faces found and verdicts right: ${ok ? 'yes' : 'NO'}`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/big-photo.json', JSON.stringify({ photo: `${W}x${H} JPEG (${(W * H) / 1e6} MP), quality 90`, detector: 'ssd', peakRssLimitMB: PEAK_RSS_LIMIT_MB, ok, pairs }, null, 2));
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const o = parseOptions(process.argv.slice(2), { verify: { type: 'boolean' } }, 'usage: big-photo   (internally: --verify A.jpg B.jpg)', { positionals: true });
if (o.verify) await verifyChild(o.positionals[0]!, o.positionals[1]!);
else await main();
process.exit(process.exitCode ?? 0);
