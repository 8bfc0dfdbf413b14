// Convolution backward, in gather form (every output value sums its own contributions; no
// atomics). The geometry is the forward conv's (see conv.wgsl): x [N, D, H, W, C] ("in"),
// filters w [kD, kH, kW, C / groups, OC], dy [N, OD, OH, OW, OC] ("out").
//
// Input gradient (also ConvTranspose, with a fused bias and activation):
//   dx[n, i, c] = Σ over taps k with i + pad − k·dil = o·stride, 0 <= o < out, and over the
//                 group's output channels oc:  dy[n, o, oc] · w[k, c mod C/groups, oc]
// input_grad_direct:    one dx value per thread (any shape).
// input_grad_blocked:   4 input pixels x 8 input channels per thread. The 4 pixels are iw, iw + sW,
//                       iw + 2sW, iw + 3sW: they share the residue of iw mod the stride, so the same
//                       taps are valid for all four and their dy pixels are consecutive. Register
//                       blocking is what makes this fast on CPU-emulated adapters (the direct form
//                       is ~15x slower there even for 3 input channels).
// input_grad_depthwise: C / groups == 1: 4 such pixels x 4 channels per thread.
// flip_filter:          with stride 1 and one group, dx is the forward convolution of dy with
//                       the filter flipped in space and its channels swapped, wf[K−1−k, oc, c] =
//                       w[k, c, oc]; conv_subgroup.wgsl's implicit GEMM then runs it.
//
// Filter gradient, an implicit GEMM patchesᵀ·dy reduced over the N·OD·OH·OW output pixels. The
// pixels are split into `parts` chunks so that small filters still occupy many threads; part j
// writes dw_j and the parts are summed afterwards (reduce.wgsl).
// filter_grad:           4 input channels x 8 output channels of one tap per thread.
// filter_grad_depthwise: C / groups == 1: 4 output channels of one tap per thread.
//
// Joined after common/activation.wgsl, common/grid.wgsl and common/window.wgsl (src/ops/conv-backward.ts).

// The window (batch, sizes, kernel, strides, pads, dilations) is common/window.wgsl's `win`.
struct Params {
  inC: u32, outC: u32,
  cinPerGroup: u32, coutPerGroup: u32,
  slope: f32,
  // input_grad_blocked / _depthwise: blocks of 4 same-residue pixels per (n, d, h, residue) line.
  wBlocks: u32,
  // filter_grad: chunks of output pixels.
  parts: u32, chunk: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> result: array<f32>;

override HAS_BIAS: bool = false;
// An activation code of common/activation.wgsl (leaky ReLU's slope: p.slope).
override ACTIVATION: u32 = 0u;
const WG = 64u;
// Blocked kernels: threads across channel blocks x across pixel blocks (64 in all).
override WG_BX: u32 = 8u;
override WG_BY: u32 = 8u;
// input_grad_depthwise: the depth multiplier when known at pipeline creation (0: read p).
override DEPTH_MULTIPLIER: u32 = 0u;

fn storeInputGrad(at: u32, c: u32, sum: f32) {
  var v = sum;
  if (HAS_BIAS) { v += bias[c]; }
  result[at] = activate(ACTIVATION, v, p.slope);
}

// The output position o with i + pad − k·dil = o·stride along one axis, or −1 if there is none.
fn sourceOf(i: u32, pad: i32, k: u32, dil: u32, stride: u32, size: u32) -> i32 {
  let t = i32(i) + pad - i32(k * dil);
  if (t < 0 || !strideDivides(t, stride)) { return -1; }
  let o = exactQuotient(t, stride);
  return select(-1, o, o < i32(size));
}

// t ≡ 0 (mod s) and t / s for an exact multiple, by mask and shift when s is a power of two
// (strides 1 and 2): integer division is slow on CPU-emulated adapters, and these run per tap.
fn strideDivides(t: i32, s: u32) -> bool {
  if ((s & (s - 1u)) == 0u) { return (t & i32(s - 1u)) == 0; }
  return ((t % i32(s)) + i32(s)) % i32(s) == 0;
}

fn exactQuotient(t: i32, s: u32) -> i32 {
  if ((s & (s - 1u)) == 0u) { return t >> countTrailingZeros(s); }
  return t / i32(s);
}

// ---- input gradient -------------------------------------------------------------------------

// The outputs o along one axis that read input position i: o·stride + k·dil = i + pad for
// some tap k < K, i.e. o in [lo, hi] (hi < lo when none). Two divisions per axis instead of
// one per tap: integer division is slow on CPU-emulated adapters.
fn sourceRange(i: u32, pad: i32, k: u32, dil: u32, stride: u32, size: u32) -> vec2i {
  let top = i32(i) + pad;
  let lowest = top - i32((k - 1u) * dil);
  let lo = select(0, (lowest + i32(stride) - 1) / i32(stride), lowest > 0);
  let hi = min(select(-1, top / i32(stride), top >= 0), i32(size) - 1);
  return vec2i(lo, hi);
}

// The tap k with o·stride + k·dil = i + pad, or −1 when the dilation skips it.
fn tapFor(i: u32, pad: i32, o: i32, dil: u32, stride: u32) -> i32 {
  let r = i32(i) + pad - o * i32(stride);
  if (dil == 1u) { return r; }
  if (r % i32(dil) != 0) { return -1; }
  return r / i32(dil);
}

@compute @workgroup_size(WG)
fn input_grad_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = flatIndex(gid, nwg, WG);
  if (index >= win.batch * win.inD * win.inH * win.inW * p.inC) { return; }
  let c = index % p.inC;
  let px = inputPixel(index / p.inC);
  let id = px.x;
  let ih = px.y;
  let iw = px.z;
  let n = px.w;
  let group = c / p.cinPerGroup;
  let ocBase = group * p.coutPerGroup;
  let wChannel = (c % p.cinPerGroup) * p.outC + ocBase;
  let rd = sourceRange(id, win.padD, win.kD, win.dilD, win.strideD, win.outD);
  let rh = sourceRange(ih, win.padH, win.kH, win.dilH, win.strideH, win.outH);
  let rw = sourceRange(iw, win.padW, win.kW, win.dilW, win.strideW, win.outW);
  var sum = 0.0;
  for (var od = rd.x; od <= rd.y; od++) {
    let kd = tapFor(id, win.padD, od, win.dilD, win.strideD);
    if (kd < 0) { continue; }
    for (var oh = rh.x; oh <= rh.y; oh++) {
      let kh = tapFor(ih, win.padH, oh, win.dilH, win.strideH);
      if (kh < 0) { continue; }
      for (var ow = rw.x; ow <= rw.y; ow++) {
        let kw = tapFor(iw, win.padW, ow, win.dilW, win.strideW);
        if (kw < 0) { continue; }
        let dyAt = (((n * win.outD + u32(od)) * win.outH + u32(oh)) * win.outW + u32(ow)) * p.outC + ocBase;
        let wAt = ((u32(kd) * win.kH + u32(kh)) * win.kW + u32(kw)) * p.cinPerGroup * p.outC + wChannel;
        for (var oc = 0u; oc < p.coutPerGroup; oc++) { sum = fma(dy[dyAt + oc], w[wAt + oc], sum); }
      }
    }
  }
  storeInputGrad(index, c, sum);
}

// Block of 4 same-residue input pixels along W: (n, id, ih), the pixels' iw, and lane validity.
struct PixelBlock { n: u32, id: u32, ih: u32, iw0: u32, valid: vec4<bool> }

fn pixelBlock(blockIndex: u32) -> PixelBlock {
  let b = blockIndex % p.wBlocks;
  var q = blockIndex / p.wBlocks;
  let residue = q % win.strideW;
  q /= win.strideW;
  var pb: PixelBlock;
  pb.ih = q % win.inH;
  q /= win.inH;
  pb.id = q % win.inD;
  pb.n = q / win.inD;
  pb.iw0 = residue + 4u * b * win.strideW;
  pb.valid = (vec4u(pb.iw0) + vec4u(0u, 1u, 2u, 3u) * win.strideW < vec4u(win.inW)) & vec4<bool>(pb.n < win.batch);
  return pb;
}

// Flat offsets into dy of the 4 pixels' sources for tap kw (row base dyRow), with their mask;
// the mask is all false when the tap does not align with the stride.
fn tapSources(pb: PixelBlock, kw: u32, dyRow: u32) -> array<vec4u, 2> {
  let t = i32(pb.iw0) + win.padW - i32(kw * win.dilW);
  // The four pixels' t differ by multiples of the stride: they all align or none does.
  if (!strideDivides(t, win.strideW)) { return array<vec4u, 2>(vec4u(0u), vec4u(0u)); }
  let ow = vec4i(exactQuotient(t, win.strideW)) + vec4i(0, 1, 2, 3);
  let ok = pb.valid & (ow >= vec4i(0)) & (ow < vec4i(i32(win.outW)));
  let at = select(vec4u(0u), (vec4u(dyRow) + vec4u(ow)) * p.outC, ok);
  return array<vec4u, 2>(at, select(vec4u(0u), vec4u(1u), ok));
}

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn input_grad_blocked(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x * 8u >= p.cinPerGroup) { return; }
  let pb = pixelBlock(gid.y);
  if (!any(pb.valid)) { return; }
  let group = gid.z;
  let ciLocal = gid.x * 8u;
  let ocBase = group * p.coutPerGroup;
  // Filter offsets of the 8 channels; lanes past the group's channels repeat its last one
  // (their results are not stored).
  let lastC = vec4u(p.cinPerGroup - 1u);
  let laneA = min(vec4u(ciLocal) + vec4u(0u, 1u, 2u, 3u), lastC) * p.outC;
  let laneB = min(vec4u(ciLocal) + vec4u(4u, 5u, 6u, 7u), lastC) * p.outC;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0);
  var acc5 = vec4f(0.0);
  var acc6 = vec4f(0.0);
  var acc7 = vec4f(0.0);
  for (var kd = 0u; kd < win.kD; kd++) {
    let od = sourceOf(pb.id, win.padD, kd, win.dilD, win.strideD, win.outD);
    if (od < 0) { continue; }
    for (var kh = 0u; kh < win.kH; kh++) {
      let oh = sourceOf(pb.ih, win.padH, kh, win.dilH, win.strideH, win.outH);
      if (oh < 0) { continue; }
      let dyRow = (pb.n * win.outD + u32(od)) * win.outH + u32(oh);
      for (var kw = 0u; kw < win.kW; kw++) {
        let src = tapSources(pb, kw, dyRow * win.outW);
        if (all(src[1] == vec4u(0u))) { continue; }
        let at = src[0] + ocBase;
        let mask = vec4f(src[1]);
        var wAt = ((kd * win.kH + kh) * win.kW + kw) * p.cinPerGroup * p.outC + ocBase;
        for (var oc = 0u; oc < p.coutPerGroup; oc++) {
          let g = vec4f(dy[at.x + oc], dy[at.y + oc], dy[at.z + oc], dy[at.w + oc]) * mask;
          let wa = vec4f(w[wAt + laneA.x], w[wAt + laneA.y], w[wAt + laneA.z], w[wAt + laneA.w]);
          let wb = vec4f(w[wAt + laneB.x], w[wAt + laneB.y], w[wAt + laneB.z], w[wAt + laneB.w]);
          acc0 = fma(vec4f(g.x), wa, acc0);
          acc1 = fma(vec4f(g.x), wb, acc1);
          acc2 = fma(vec4f(g.y), wa, acc2);
          acc3 = fma(vec4f(g.y), wb, acc3);
          acc4 = fma(vec4f(g.z), wa, acc4);
          acc5 = fma(vec4f(g.z), wb, acc5);
          acc6 = fma(vec4f(g.w), wa, acc6);
          acc7 = fma(vec4f(g.w), wb, acc7);
          wAt += 1u;
        }
      }
    }
  }
  let accs = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  let c0 = group * p.cinPerGroup + ciLocal;
  let rowBase = ((pb.n * win.inD + pb.id) * win.inH + pb.ih) * win.inW;
  for (var r = 0u; r < 4u; r++) {
    if (!pb.valid[r]) { continue; }
    let at = (rowBase + pb.iw0 + r * win.strideW) * p.inC + c0;
    for (var j = 0u; j < 8u; j++) {
      if (ciLocal + j >= p.cinPerGroup) { break; }
      storeInputGrad(at + j, c0 + j, accs[2u * r + j / 4u][j % 4u]);
    }
  }
}

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn input_grad_depthwise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = gid.x * 4u;
  if (c >= p.inC) { return; }
  let pb = pixelBlock(threadRow(gid, nwg, WG_BY));
  if (!any(pb.valid)) { return; }
  // Channel c feeds output channels c·m + j, j < m (the depth multiplier; a constant where
  // DEPTH_MULTIPLIER is set, so the loop over j unrolls).
  let m = select(p.coutPerGroup, DEPTH_MULTIPLIER, DEPTH_MULTIPLIER != 0u);
  // Lanes past the last channel repeat it (their results are not stored).
  let cm = min(vec4u(c) + vec4u(0u, 1u, 2u, 3u), vec4u(p.inC - 1u)) * m;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kd = 0u; kd < win.kD; kd++) {
    let od = sourceOf(pb.id, win.padD, kd, win.dilD, win.strideD, win.outD);
    if (od < 0) { continue; }
    for (var kh = 0u; kh < win.kH; kh++) {
      let oh = sourceOf(pb.ih, win.padH, kh, win.dilH, win.strideH, win.outH);
      if (oh < 0) { continue; }
      let dyRow = (pb.n * win.outD + u32(od)) * win.outH + u32(oh);
      for (var kw = 0u; kw < win.kW; kw++) {
        let src = tapSources(pb, kw, dyRow * win.outW);
        if (all(src[1] == vec4u(0u))) { continue; }
        let at = src[0];
        let mask = vec4f(src[1]);
        let wTap = ((kd * win.kH + kh) * win.kW + kw) * p.outC;
        for (var j = 0u; j < m; j++) {
          let o = cm + j;
          let wv = vec4f(w[wTap + o.x], w[wTap + o.y], w[wTap + o.z], w[wTap + o.w]);
          acc0 = fma(vec4f(dy[at.x + o.x], dy[at.x + o.y], dy[at.x + o.z], dy[at.x + o.w]), wv * mask.x, acc0);
          acc1 = fma(vec4f(dy[at.y + o.x], dy[at.y + o.y], dy[at.y + o.z], dy[at.y + o.w]), wv * mask.y, acc1);
          acc2 = fma(vec4f(dy[at.z + o.x], dy[at.z + o.y], dy[at.z + o.z], dy[at.z + o.w]), wv * mask.z, acc2);
          acc3 = fma(vec4f(dy[at.w + o.x], dy[at.w + o.y], dy[at.w + o.z], dy[at.w + o.w]), wv * mask.w, acc3);
        }
      }
    }
  }
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  let rowBase = ((pb.n * win.inD + pb.id) * win.inH + pb.ih) * win.inW;
  for (var r = 0u; r < 4u; r++) {
    if (!pb.valid[r]) { continue; }
    let at = (rowBase + pb.iw0 + r * win.strideW) * p.inC + c;
    for (var j = 0u; j < 4u; j++) {
      if (c + j < p.inC) { storeInputGrad(at + j, c + j, accs[r][j]); }
    }
  }
}

// input_grad_depthwise for a depth multiplier of 1 and channels divisible by 4: a thread's 4
// channels are adjacent in dy, w and dx, so each source pixel's are one vec4 load (CPU drivers
// load a vec4 at about the cost of one value).
@group(0) @binding(1) var<storage, read> dy4: array<vec4f>;
@group(0) @binding(2) var<storage, read> w4: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> result4: array<vec4f>;

@compute @workgroup_size(WG_BX, WG_BY, 1)
fn input_grad_depthwise_vec4(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c4 = gid.x;
  let C4 = p.inC / 4u;
  if (c4 >= C4) { return; }
  let pb = pixelBlock(threadRow(gid, nwg, WG_BY));
  if (!any(pb.valid)) { return; }
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var kd = 0u; kd < win.kD; kd++) {
    let od = sourceOf(pb.id, win.padD, kd, win.dilD, win.strideD, win.outD);
    if (od < 0) { continue; }
    for (var kh = 0u; kh < win.kH; kh++) {
      let oh = sourceOf(pb.ih, win.padH, kh, win.dilH, win.strideH, win.outH);
      if (oh < 0) { continue; }
      let dyRow = (pb.n * win.outD + u32(od)) * win.outH + u32(oh);
      for (var kw = 0u; kw < win.kW; kw++) {
        let src = tapSources(pb, kw, dyRow * win.outW);
        if (all(src[1] == vec4u(0u))) { continue; }
        // Offsets in values, multiples of outC = inC: in vec4s, divided by 4.
        let at = src[0] / 4u + c4;
        let mask = vec4f(src[1]);
        let wv = w4[((kd * win.kH + kh) * win.kW + kw) * C4 + c4];
        acc0 = fma(dy4[at.x], wv * mask.x, acc0);
        acc1 = fma(dy4[at.y], wv * mask.y, acc1);
        acc2 = fma(dy4[at.z], wv * mask.z, acc2);
        acc3 = fma(dy4[at.w], wv * mask.w, acc3);
      }
    }
  }
  let accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  var b = vec4f(0.0);
  if (HAS_BIAS) { b = vec4f(bias[4u * c4], bias[4u * c4 + 1u], bias[4u * c4 + 2u], bias[4u * c4 + 3u]); }
  let rowBase = ((pb.n * win.inD + pb.id) * win.inH + pb.ih) * win.inW;
  for (var r = 0u; r < 4u; r++) {
    if (!pb.valid[r]) { continue; }
    let v = accs[r] + b;
    result4[(rowBase + pb.iw0 + r * win.strideW) * C4 + c4] = activate4(ACTIVATION, v, p.slope);
  }
}

// ---- filter gradient ------------------------------------------------------------------------

// The input offset (times inC) read by tap (kd, kh, kw) at output pixel c, or −1 in the padding.
fn tapInput(c: PixelCursor, kd: u32, kh: u32, kw: u32) -> i32 {
  let id = i32(c.od * win.strideD + kd * win.dilD) - win.padD;
  let ih = i32(c.oh * win.strideH + kh * win.dilH) - win.padH;
  let iw = i32(c.ow * win.strideW + kw * win.dilW) - win.padW;
  if (id < 0 || id >= i32(win.inD) || ih < 0 || ih >= i32(win.inH) || iw < 0 || iw >= i32(win.inW)) { return -1; }
  return i32(((c.n * win.inD + u32(id)) * win.inH + u32(ih)) * win.inW + u32(iw));
}

struct Tap { kd: u32, kh: u32, kw: u32 }

fn tapOf(t: u32) -> Tap {
  return Tap(t / (win.kH * win.kW), (t / win.kW) % win.kH, t % win.kW);
}

@compute @workgroup_size(WG)
fn filter_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let ocBlocks = (p.coutPerGroup + 7u) / 8u;
  let ciBlocks = (p.cinPerGroup + 3u) / 4u;
  let taps = win.kD * win.kH * win.kW;
  let groups = p.inC / p.cinPerGroup;
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.parts * groups * taps * ciBlocks * ocBlocks) { return; }
  let ob = index % ocBlocks;
  var q = index / ocBlocks;
  let cb = q % ciBlocks;
  q /= ciBlocks;
  let tap = q % taps;
  q /= taps;
  let group = q % groups;
  let part = q / groups;
  let k = tapOf(tap);
  // Lanes past the group's channels read its last channel; their results are not stored.
  let ci = min(vec4u(cb * 4u) + vec4u(0u, 1u, 2u, 3u), vec4u(p.cinPerGroup - 1u)) + group * p.cinPerGroup;
  let ocA = min(vec4u(ob * 8u) + vec4u(0u, 1u, 2u, 3u), vec4u(p.coutPerGroup - 1u)) + group * p.coutPerGroup;
  let ocB = min(vec4u(ob * 8u) + vec4u(4u, 5u, 6u, 7u), vec4u(p.coutPerGroup - 1u)) + group * p.coutPerGroup;

  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  var acc4 = vec4f(0.0);
  var acc5 = vec4f(0.0);
  var acc6 = vec4f(0.0);
  var acc7 = vec4f(0.0);
  let rows = win.batch * win.outD * win.outH * win.outW;
  let begin = part * p.chunk;
  let end = min(begin + p.chunk, rows);
  var cur = cursorAt(begin);
  for (var row = begin; row < end; row++) {
    let px = tapInput(cur, k.kd, k.kh, k.kw);
    if (px >= 0) {
      let xAt = u32(px) * p.inC;
      let xv = vec4f(x[xAt + ci.x], x[xAt + ci.y], x[xAt + ci.z], x[xAt + ci.w]);
      let dyAt = row * p.outC;
      let ga = vec4f(dy[dyAt + ocA.x], dy[dyAt + ocA.y], dy[dyAt + ocA.z], dy[dyAt + ocA.w]);
      let gb = vec4f(dy[dyAt + ocB.x], dy[dyAt + ocB.y], dy[dyAt + ocB.z], dy[dyAt + ocB.w]);
      acc0 = fma(vec4f(xv.x), ga, acc0);
      acc1 = fma(vec4f(xv.x), gb, acc1);
      acc2 = fma(vec4f(xv.y), ga, acc2);
      acc3 = fma(vec4f(xv.y), gb, acc3);
      acc4 = fma(vec4f(xv.z), ga, acc4);
      acc5 = fma(vec4f(xv.z), gb, acc5);
      acc6 = fma(vec4f(xv.w), ga, acc6);
      acc7 = fma(vec4f(xv.w), gb, acc7);
    }
    advance(&cur);
  }
  // dw_part [taps, C / groups, OC]
  let accs = array<vec4f, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  let partBase = part * taps * p.cinPerGroup * p.outC;
  for (var i = 0u; i < 4u; i++) {
    let c = cb * 4u + i;
    if (c >= p.cinPerGroup) { break; }
    let rowAt = partBase + (tap * p.cinPerGroup + c) * p.outC + group * p.coutPerGroup;
    for (var j = 0u; j < 8u; j++) {
      let oc = ob * 8u + j;
      if (oc >= p.coutPerGroup) { break; }
      result[rowAt + oc] = accs[2u * i + j / 4u][j % 4u];
    }
  }
}

@compute @workgroup_size(WG)
fn filter_grad_depthwise(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let ocBlocks = (p.outC + 3u) / 4u;
  let taps = win.kD * win.kH * win.kW;
  let index = flatIndex(gid, nwg, WG);
  if (index >= p.parts * taps * ocBlocks) { return; }
  let ob = index % ocBlocks;
  let tap = (index / ocBlocks) % taps;
  let part = index / (ocBlocks * taps);
  let k = tapOf(tap);
  // Output channel oc reads input channel oc / m (m the depth multiplier).
  let oc = min(vec4u(ob * 4u) + vec4u(0u, 1u, 2u, 3u), vec4u(p.outC - 1u));
  let ci = oc / p.coutPerGroup;
  var acc = vec4f(0.0);
  let rows = win.batch * win.outD * win.outH * win.outW;
  let begin = part * p.chunk;
  let end = min(begin + p.chunk, rows);
  var cur = cursorAt(begin);
  for (var row = begin; row < end; row++) {
    let px = tapInput(cur, k.kd, k.kh, k.kw);
    if (px >= 0) {
      let xAt = u32(px) * p.inC;
      let dyAt = row * p.outC;
      acc = fma(vec4f(x[xAt + ci.x], x[xAt + ci.y], x[xAt + ci.z], x[xAt + ci.w]),
                vec4f(dy[dyAt + oc.x], dy[dyAt + oc.y], dy[dyAt + oc.z], dy[dyAt + oc.w]), acc);
    }
    advance(&cur);
  }
  let at = part * taps * p.outC + tap * p.outC;
  for (var j = 0u; j < 4u; j++) {
    if (ob * 4u + j < p.outC) { result[at + ob * 4u + j] = acc[j]; }
  }
}

// Reversing every spatial axis of the kernel reverses its flattened tap index.
@compute @workgroup_size(WG)
fn flip_filter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let taps = win.kD * win.kH * win.kW;
  let i = flatIndex(gid, nwg, WG);
  if (i >= taps * p.inC * p.outC) { return; }
  let c = i % p.inC;
  let oc = (i / p.inC) % p.outC;
  let flippedTap = i / (p.inC * p.outC);
  result[i] = w[((taps - 1u - flippedTap) * p.inC + c) * p.outC + oc];
}
