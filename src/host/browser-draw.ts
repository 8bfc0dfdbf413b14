/**
 * draw.ts's boxes and landmark dots onto a canvas in the browser, with the same options and
 * defaults: boxes cover exactly the pixels drawDetections sets; dots are the canvas's
 * antialiased discs.
 */
import type { Box, Point } from '../nn/boxes.js';
import { boxOf, detectionStyle, landmarkStyle, type DrawDetectionsOptions, type DrawLandmarksOptions, type RGB } from '../tasks/face/draw.js';
import { pixelRegion } from '../tasks/face/extract.js';

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

const css = ([r, g, b]: RGB) => `rgb(${r}, ${g}, ${b})`;

/** Each face's box outlined on the canvas (see drawDetections). */
export function drawDetectionsOnCanvas(ctx: Context2D, faces: readonly ({ box: Box } | Box)[], options: DrawDetectionsOptions = {}): void {
  const { color, lineWidth: line } = detectionStyle(options, 'drawDetectionsOnCanvas');
  ctx.save();
  ctx.strokeStyle = css(color);
  faces.forEach((face, i) => {
    const r = pixelRegion(ctx.canvas, boxOf(face), `drawDetectionsOnCanvas: face ${i}`);
    // A stroke is centred on its path: inset by half the width it covers whole pixels inside the box.
    const w = Math.min(line, r.width / 2, r.height / 2);
    ctx.lineWidth = w;
    ctx.strokeRect(r.x + w / 2, r.y + w / 2, r.width - w, r.height - w);
  });
  ctx.restore();
}

/** A dot on each landmark, on the canvas (see drawLandmarks). */
export function drawLandmarksOnCanvas(ctx: Context2D, faces: readonly { landmarks: readonly Point[] }[], options: DrawLandmarksOptions = {}): void {
  const { color, radius } = landmarkStyle(options, 'drawLandmarksOnCanvas');
  ctx.save();
  ctx.fillStyle = css(color);
  for (const face of faces) {
    for (const p of face.landmarks) {
      ctx.beginPath();
      ctx.arc(p.x, p.y, radius, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.restore();
}
