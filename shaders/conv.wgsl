// Convolution, one family for 1-D, 2-D and 3-D, with the shapes, bindings and epilogue of
// common/conv.wgsl. The subgroup kernel for CPU drivers is in conv_subgroup.wgsl.
//
// conv_gemm: implicit GEMM. Rows are output pixels, columns one group's output channels, and
//   the reduction runs over (kd, kh, kw, ci). A workgroup computes a BM x BN tile, each thread
//   a TM x TN block in registers; input patches (im2col, never stored) and filter rows are
//   staged in workgroup memory TK reduction steps at a time.
// conv_direct: one output value per thread, for depthwise and other groups with few channels,
//   where a GEMM tile would be mostly empty.
//
// Joined after common/activation.wgsl, grid.wgsl, window.wgsl and conv.wgsl (src/ops/conv.ts).

// ---- conv_gemm ------------------------------------------------------------------------------

const TM = 4u;
const TN = 4u;
// Input-tile rows one thread stages per step: TM * TK / WG_N, at most MAX_ROW_LOADS.
const MAX_ROW_LOADS = 8u;
override WG_M: u32 = 16u;
override WG_N: u32 = 16u;
override TK: u32 = 16u;

var<workgroup> tileX: array<f32, WG_M * TM * TK>;
var<workgroup> tileW: array<f32, TK * WG_N * TN>;

@compute @workgroup_size(WG_N, WG_M, 1)
fn conv_gemm(@builtin(workgroup_id) wg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>,
             @builtin(local_invocation_index) li: u32) {
  let BM = WG_M * TM;
  let BN = WG_N * TN;
  let threads = WG_M * WG_N;
  let rows = win.batch * win.outD * win.outH * win.outW;
  let K = win.kD * win.kH * win.kW * p.cinPerGroup;
  let group = wg.z;
  let rowBase = wg.y * BM;
  let colBase = wg.x * BN;
  let cinBase = group * p.cinPerGroup;

  // This thread always stages reduction column kk of tile rows r0, r0 + rowStep, ... so the
  // divisions that locate those output pixels happen once, not once per step.
  let kk = li % TK;
  let r0 = li / TK;
  let rowStep = threads / TK;
  let loads = BM / rowStep;
  var origin: array<vec4<i32>, MAX_ROW_LOADS>; // (id0, ih0, iw0, batch offset or -1)
  for (var t = 0u; t < loads; t++) {
    let row = rowBase + r0 + t * rowStep;
    if (row < rows) {
      let px = outputPixel(row);
      origin[t] = vec4<i32>(i32(px.x * win.strideD) - win.padD, i32(px.y * win.strideH) - win.padH,
                            i32(px.z * win.strideW) - win.padW, i32(px.w * win.inD * win.inH * win.inW * p.inC));
    } else {
      origin[t] = vec4<i32>(0, 0, 0, -1);
    }
  }

  var acc: array<f32, TM * TN>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    let k = k0 + kk;
    let ci = k % p.cinPerGroup;
    var q = k / p.cinPerGroup;
    let kw = q % win.kW;
    q /= win.kW;
    let kh = q % win.kH;
    let kd = q / win.kH;
    let offD = i32(kd * win.dilD);
    let offH = i32(kh * win.dilH);
    let offW = i32(kw * win.dilW);
    for (var t = 0u; t < loads; t++) {
      let o = origin[t];
      let id = o.x + offD;
      let ih = o.y + offH;
      let iw = o.z + offW;
      var v = 0.0;
      if (k < K && o.w >= 0 && id >= 0 && id < i32(win.inD) && ih >= 0 && ih < i32(win.inH) && iw >= 0 && iw < i32(win.inW)) {
        v = x[u32(o.w) + ((u32(id) * win.inH + u32(ih)) * win.inW + u32(iw)) * p.inC + cinBase + ci];
      }
      tileX[(r0 + t * rowStep) * TK + kk] = v;
    }
    for (var i = li; i < TK * BN; i += threads) {
      let kr = k0 + i / BN;
      let col = colBase + i % BN;
      var v = 0.0;
      if (kr < K && col < p.coutPerGroup) { v = w[kr * p.outC + group * p.coutPerGroup + col]; }
      tileW[i] = v;
    }
    workgroupBarrier();
    for (var s = 0u; s < TK; s++) {
      var a: array<f32, TM>;
      var b: array<f32, TN>;
      for (var i = 0u; i < TM; i++) { a[i] = tileX[(lid.y + i * WG_M) * TK + s]; }
      for (var j = 0u; j < TN; j++) { b[j] = tileW[s * BN + lid.x + j * WG_N]; }
      for (var i = 0u; i < TM; i++) {
        for (var j = 0u; j < TN; j++) { acc[i * TN + j] = fma(a[i], b[j], acc[i * TN + j]); }
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < TM; i++) {
    let row = rowBase + lid.y + i * WG_M;
    if (row >= rows) { continue; }
    for (var j = 0u; j < TN; j++) {
      let col = colBase + lid.x + j * WG_N;
      if (col < p.coutPerGroup) { epilogue(row, group * p.coutPerGroup + col, acc[i * TN + j]); }
    }
  }
}

// ---- conv_direct ----------------------------------------------------------------------------

override WG_DIRECT: u32 = 64u;

@compute @workgroup_size(WG_DIRECT)
fn conv_direct(@builtin(global_invocation_id) gid: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG_DIRECT);
  let rows = win.batch * win.outD * win.outH * win.outW;
  if (index >= rows * p.outC) { return; }
  let oc = index % p.outC;
  let row = index / p.outC;
  let px = outputPixel(row);
  let group = oc / p.coutPerGroup;
  let cinBase = group * p.cinPerGroup;
  let d0 = i32(px.x * win.strideD) - win.padD;
  let h0 = i32(px.y * win.strideH) - win.padH;
  let w0 = i32(px.z * win.strideW) - win.padW;
  let xBatch = px.w * win.inD * win.inH * win.inW * p.inC;
  var sum = 0.0;
  for (var kd = 0u; kd < win.kD; kd++) {
    let id = d0 + i32(kd * win.dilD);
    if (id < 0 || id >= i32(win.inD)) { continue; }
    for (var kh = 0u; kh < win.kH; kh++) {
      let ih = h0 + i32(kh * win.dilH);
      if (ih < 0 || ih >= i32(win.inH)) { continue; }
      for (var kw = 0u; kw < win.kW; kw++) {
        let iw = w0 + i32(kw * win.dilW);
        if (iw < 0 || iw >= i32(win.inW)) { continue; }
        let xBase = xBatch + ((u32(id) * win.inH + u32(ih)) * win.inW + u32(iw)) * p.inC + cinBase;
        let wBase = ((kd * win.kH + kh) * win.kW + kw) * p.cinPerGroup * p.outC + oc;
        for (var ci = 0u; ci < p.cinPerGroup; ci++) {
          sum = fma(x[xBase + ci], w[wBase + ci * p.outC], sum);
        }
      }
    }
  }
  epilogue(row, oc, sum);
}

// ---- conv_blocked -----------------------------------------------------------------------------
// No workgroup memory and no barriers: each thread accumulates ROWS consecutive output pixels
// x 8 output channels in vec4 registers, reading inputs and filters straight from memory. On
// CPU-emulated adapters (SwiftShader, lavapipe), where workgroup memory is ordinary memory and
// a barrier is a context switch, this beats conv_gemm by 2-4x. Needs coutPerGroup % 8 == 0.

const ROWS = 4u;
override FLAT_TAPS: bool = false;
override WG_BX: u32 = 8u;
override WG_BY: u32 = 8u;

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn conv_blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= p.coutPerGroup / 8u) { return; }
  let rows = win.batch * win.outD * win.outH * win.outW;
  let row0 = gid.y * ROWS;
  if (row0 >= rows) { return; }
  let group = gid.z;
  let oc = group * p.coutPerGroup + gid.x * 8u;
  let cinBase = group * p.cinPerGroup;

  // The ROWS = 4 output pixels of this thread, one per vector lane.
  let rows4 = vec4u(row0) + vec4u(0u, 1u, 2u, 3u);
  let rowValid = rows4 < vec4u(rows);
  let ow4 = rows4 % win.outW;
  var q4 = rows4 / win.outW;
  let oh4 = q4 % win.outH;
  q4 /= win.outH;
  let od4 = q4 % win.outD;
  let n4 = q4 / win.outD;
  let d0 = vec4i(od4 * win.strideD) - win.padD;
  let h0 = vec4i(oh4 * win.strideH) - win.padH;
  let w0 = vec4i(ow4 * win.strideW) - win.padW;
  let batchBase = vec4i(n4 * (win.inD * win.inH * win.inW * p.inC)) + i32(cinBase);
  let inD = i32(win.inD);
  let inH = i32(win.inH);
  let inW = i32(win.inW);
  let inC = i32(p.inC);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0);
  var acc5 = vec4f(0.0);
  var acc6 = vec4f(0.0);
  var acc7 = vec4f(0.0);
  // FLAT_TAPS (groups = 1, no horizontal dilation): the kW x C taps of one kernel row are
  // contiguous in memory, so they run as one loop over j with per-row [lo, hi) bounds instead
  // of one bounds check per tap; this matters when C is small (a 7x7 stem on RGB).
  let tapsPerRow = select(1u, win.kW, FLAT_TAPS);
  let span = select(p.cinPerGroup, win.kW * p.inC, FLAT_TAPS);
  for (var kd = 0u; kd < win.kD; kd++) {
    for (var kh = 0u; kh < win.kH; kh++) {
      for (var kw = 0u; kw < win.kW; kw += tapsPerRow) {
        // Per row: input offset of tap j = 0 and the valid range [lo, hi) of j (empty in padding).
        let id = d0 + i32(kd * win.dilD);
        let ih = h0 + i32(kh * win.dilH);
        let iw = w0 + i32(kw * win.dilW);
        let rowOk = rowValid & (id >= vec4i(0)) & (id < vec4i(inD)) & (ih >= vec4i(0)) & (ih < vec4i(inH));
        let base = batchBase + ((id * inH + ih) * inW + iw) * inC;
        var lo = vec4i(0);
        var hi: vec4i;
        if (FLAT_TAPS) {
          lo = max(vec4i(0), -iw) * inC;
          hi = select(vec4i(0), clamp(vec4i(inW) - iw, vec4i(0), vec4i(i32(win.kW))) * inC, rowOk);
        } else {
          let ok = rowOk & (iw >= vec4i(0)) & (iw < vec4i(inW));
          hi = select(vec4i(0), vec4i(i32(p.cinPerGroup)), ok);
        }
        if (all(hi <= lo)) { continue; }
        var wAt = ((kd * win.kH + kh) * win.kW + kw) * p.cinPerGroup * p.outC + oc;
        // Rows whose tap is in the padding read offset 0 and are zeroed by the mask; with
        // FLAT_TAPS the mask also depends on j.
        let tapOk = hi > lo;
        let mask = select(vec4f(0.0), vec4f(1.0), tapOk);
        let at0 = select(vec4i(0), base, tapOk);
        for (var j = 0u; j < span; j++) {
          var xv: vec4f;
          if (FLAT_TAPS) {
            let ji = vec4i(i32(j));
            let inside = (ji >= lo) & (ji < hi);
            let at = vec4u(select(vec4i(0), base + ji, inside));
            xv = select(vec4f(0.0), vec4f(x[at.x], x[at.y], x[at.z], x[at.w]), inside);
          } else {
            let at = vec4u(at0) + j;
            xv = vec4f(x[at.x], x[at.y], x[at.z], x[at.w]) * mask;
          }
          let wa = vec4f(w[wAt], w[wAt + 1u], w[wAt + 2u], w[wAt + 3u]);
          let wb = vec4f(w[wAt + 4u], w[wAt + 5u], w[wAt + 6u], w[wAt + 7u]);
          acc0 = fma(vec4f(xv.x), wa, acc0);
          acc1 = fma(vec4f(xv.x), wb, acc1);
          acc2 = fma(vec4f(xv.y), wa, acc2);
          acc3 = fma(vec4f(xv.y), wb, acc3);
          acc4 = fma(vec4f(xv.z), wa, acc4);
          acc5 = fma(vec4f(xv.z), wb, acc5);
          acc6 = fma(vec4f(xv.w), wa, acc6);
          acc7 = fma(vec4f(xv.w), wb, acc7);
          wAt += p.outC;
        }
      }
    }
  }
  let accs = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  for (var r = 0u; r < ROWS; r++) {
    if (row0 + r >= rows) { break; }
    for (var j = 0u; j < 4u; j++) {
      epilogue(row0 + r, oc + j, accs[2u * r][j]);
      epilogue(row0 + r, oc + 4u + j, accs[2u * r + 1u][j]);
    }
  }
}


// ---- conv_depthwise ---------------------------------------------------------------------------
// One input channel per group (depthwise, any depth multiplier m = coutPerGroup): each thread
// computes 4 consecutive output pixels along W of one (n, od, oh) line x 4 consecutive output
// channels, in vec4 registers, with the line's D/H bounds checked once per kernel row. On
// CPU-emulated adapters this is several times faster than conv_direct's one value per thread.
// Threads: x across channel blocks, y across pixel blocks (folded into z past the limit).

// A depthwise thread's 4 output pixels along W of one (n, od, oh) line.
struct PixelQuad { line: u32, ow0: u32, n: u32, valid: bool, laneOk: vec4<bool>, iw0: vec4i, d0: i32, h0: i32 }

fn pixelQuad(gid: vec3<u32>, nwg: vec3<u32>) -> PixelQuad {
  var b: PixelQuad;
  let wBlocks = (win.outW + 3u) / 4u;
  let quad = threadRow(gid, nwg, WG_BY);
  b.line = quad / wBlocks;
  b.valid = b.line < win.batch * win.outD * win.outH;
  b.ow0 = (quad - b.line * wBlocks) * 4u;
  let oh = b.line % win.outH;
  let q = b.line / win.outH;
  let od = q % win.outD;
  b.n = q / win.outD;
  let ow4 = vec4u(b.ow0) + vec4u(0u, 1u, 2u, 3u);
  b.laneOk = ow4 < vec4u(win.outW);
  b.iw0 = vec4i(ow4 * win.strideW) - win.padW;
  b.d0 = i32(od * win.strideD) - win.padD;
  b.h0 = i32(oh * win.strideH) - win.padH;
  return b;
}

// Flat index of the first pixel of input row (kd, kh) for the quad's line; -1 in the padding.
fn inputRowOf(b: PixelQuad, kd: u32, kh: u32) -> i32 {
  let id = b.d0 + i32(kd * win.dilD);
  let ih = b.h0 + i32(kh * win.dilH);
  if (id < 0 || id >= i32(win.inD) || ih < 0 || ih >= i32(win.inH)) { return -1; }
  return i32(((b.n * win.inD + u32(id)) * win.inH + u32(ih)) * win.inW);
}

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn conv_depthwise(@builtin(global_invocation_id) gid: vec3<u32>,
                  @builtin(num_workgroups) nwg: vec3<u32>) {
  let oc = gid.x * 4u;
  if (oc >= p.outC) { return; }
  let b = pixelQuad(gid, nwg);
  if (!b.valid) { return; }
  // Lanes past the last channel repeat it (their results are not stored).
  let oc4 = min(vec4u(oc) + vec4u(0u, 1u, 2u, 3u), vec4u(p.outC - 1u));
  let ci4 = oc4 / p.coutPerGroup;
  let inW = i32(win.inW);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kd = 0u; kd < win.kD; kd++) {
    for (var kh = 0u; kh < win.kH; kh++) {
      let rowBase = inputRowOf(b, kd, kh);
      if (rowBase < 0) { continue; }
      var wTap = (kd * win.kH + kh) * win.kW * p.outC;
      for (var kw = 0u; kw < win.kW; kw++) {
        let iw = b.iw0 + i32(kw * win.dilW);
        let ok = b.laneOk & (iw >= vec4i(0)) & (iw < vec4i(inW));
        if (any(ok)) {
          // Lanes in the padding read pixel 0 and are zeroed by the mask.
          let at = vec4u(select(vec4i(0), (rowBase + iw) * i32(p.inC), ok));
          let mask = select(vec4f(0.0), vec4f(1.0), ok);
          let wv = vec4f(w[wTap + oc4.x], w[wTap + oc4.y], w[wTap + oc4.z], w[wTap + oc4.w]);
          acc0 = fma(vec4f(x[at.x + ci4.x], x[at.x + ci4.y], x[at.x + ci4.z], x[at.x + ci4.w]), wv * mask.x, acc0);
          acc1 = fma(vec4f(x[at.y + ci4.x], x[at.y + ci4.y], x[at.y + ci4.z], x[at.y + ci4.w]), wv * mask.y, acc1);
          acc2 = fma(vec4f(x[at.z + ci4.x], x[at.z + ci4.y], x[at.z + ci4.z], x[at.z + ci4.w]), wv * mask.z, acc2);
          acc3 = fma(vec4f(x[at.w + ci4.x], x[at.w + ci4.y], x[at.w + ci4.z], x[at.w + ci4.w]), wv * mask.w, acc3);
        }
        wTap += p.outC;
      }
    }
  }
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let channels = min(4u, p.outC - oc);
  for (var r = 0u; r < 4u; r++) {
    if (b.ow0 + r >= win.outW) { break; }
    let row = b.line * win.outW + b.ow0 + r;
    for (var j = 0u; j < channels; j++) { epilogue(row, oc + j, accs[r][j]); }
  }
}

// ---- conv_depthwise_vec4 ----------------------------------------------------------------------
// conv_depthwise for a depth multiplier of 1 and channels divisible by 4: the 4 channels of a
// thread are adjacent in x, w and y, so each pixel's are one vec4 load (CPU drivers load a vec4
// at about the cost of one value: 5 loads per tap instead of 20).
@group(0) @binding(1) var<storage, read> x4: array<vec4f>;
@group(0) @binding(2) var<storage, read> w4: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> y4: array<vec4f>;

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn conv_depthwise_vec4(@builtin(global_invocation_id) gid: vec3<u32>,
                       @builtin(num_workgroups) nwg: vec3<u32>) {
  let c4 = gid.x;
  let C4 = p.outC / 4u;
  if (c4 >= C4) { return; }
  let b = pixelQuad(gid, nwg);
  if (!b.valid) { return; }
  let inW = i32(win.inW);

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kd = 0u; kd < win.kD; kd++) {
    for (var kh = 0u; kh < win.kH; kh++) {
      let rowBase = inputRowOf(b, kd, kh);
      if (rowBase < 0) { continue; }
      var wTap = (kd * win.kH + kh) * win.kW * C4 + c4;
      for (var kw = 0u; kw < win.kW; kw++) {
        let iw = b.iw0 + i32(kw * win.dilW);
        let ok = b.laneOk & (iw >= vec4i(0)) & (iw < vec4i(inW));
        if (any(ok)) {
          // Pixels in the padding read pixel 0 and are zeroed by the mask.
          let at = vec4u(select(vec4i(0), rowBase + iw, ok)) * C4 + c4;
          let mask = select(vec4f(0.0), vec4f(1.0), ok);
          let wv = w4[wTap];
          acc0 = fma(x4[at.x], wv * mask.x, acc0);
          acc1 = fma(x4[at.y], wv * mask.y, acc1);
          acc2 = fma(x4[at.z], wv * mask.z, acc2);
          acc3 = fma(x4[at.w], wv * mask.w, acc3);
        }
        wTap += C4;
      }
    }
  }
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  var bias4 = vec4f(0.0);
  if (HAS_BIAS) { bias4 = vec4f(bias[4u * c4], bias[4u * c4 + 1u], bias[4u * c4 + 2u], bias[4u * c4 + 3u]); }
  for (var r = 0u; r < 4u; r++) {
    if (b.ow0 + r >= win.outW) { break; }
    let v = accs[r] + bias4;
    y4[(b.line * win.outW + b.ow0 + r) * C4 + c4] = activate4(ACTIVATION, v, p.slope);
  }
}
