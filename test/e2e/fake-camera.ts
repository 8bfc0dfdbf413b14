/**
 * Video files for Chromium's fake camera (`--use-file-for-fake-video-capture`): Y4M (YUV 4:2:0)
 * frames showing a grey photo on a grey background, as a camera pointed at a face would.
 */
import { writeFileSync } from 'node:fs';
import type { RGBAImage } from '../../src/ops/image.js';

export const CAMERA = { width: 640, height: 480, fps: 5 };

/** The photo's luma, scaled `scale`x (bilinear) and centred on a 640x480 frame of grey 119. */
function frameLuma(photo: RGBAImage, scale: number): Uint8Array {
  const { width, height } = CAMERA;
  const y = new Uint8Array(width * height).fill(119);
  const [w, h] = [Math.round(photo.width * scale), Math.round(photo.height * scale)];
  const [x0, y0] = [Math.round((width - w) / 2), Math.round((height - h) / 2)];
  const at = (x: number, yy: number) => {
    const i = (Math.min(photo.height - 1, Math.max(0, yy)) * photo.width + Math.min(photo.width - 1, Math.max(0, x))) * 4;
    return 0.299 * photo.data[i]! + 0.587 * photo.data[i + 1]! + 0.114 * photo.data[i + 2]!;
  };
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
    const [sx, sy] = [(c + 0.5) / scale - 0.5, (r + 0.5) / scale - 0.5];
    const [fx, fy] = [sx - Math.floor(sx), sy - Math.floor(sy)];
    const [ix, iy] = [Math.floor(sx), Math.floor(sy)];
    const v = (at(ix, iy) * (1 - fx) + at(ix + 1, iy) * fx) * (1 - fy) + (at(ix, iy + 1) * (1 - fx) + at(ix + 1, iy + 1) * fx) * fy;
    y[(y0 + r) * width + x0 + c] = Math.round(v);
  }
  return y;
}

/**
 * Writes a Y4M file playing `frames` (photos, one camera frame each, at CAMERA.fps) in order;
 * Chromium loops it. Luma is stored in the studio range (16-235) that Chromium decodes it from.
 */
export function writeY4M(path: string, frames: RGBAImage[], scale = 2): void {
  const { width, height, fps } = CAMERA;
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const cache = new Map<RGBAImage, Buffer>();
  const parts: Buffer[] = [header];
  for (const photo of frames) {
    if (!cache.has(photo)) cache.set(photo, Buffer.from(frameLuma(photo, scale).map((v) => Math.round(16 + (219 * v) / 255))));
    parts.push(Buffer.from('FRAME\n'), cache.get(photo)!, chroma);
  }
  writeFileSync(path, Buffer.concat(parts));
}
