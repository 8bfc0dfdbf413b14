enable subgroups;
// A subgroup is one row of the workgroup (x extent = subgroup size), so branches on its tile
// are uniform within it; WGSL's analysis cannot see that.
diagnostic(off, subgroup_uniformity);

// Convolution as an implicit GEMM on the design of matmul_subgroup.wgsl, for CPU Vulkan drivers
// (each thread a SIMD lane, every per-lane load a gather): rows are output pixels, columns
// output channels, and the reduction runs along each kernel row (kd, kh) over j = kw·C + ci,
// contiguous in the input (no horizontal dilation) and in the filters. One subgroup computes 16
// pixels x 4·SG channels: per step each lane loads 16/SG input values, one for each of its
// pixels, which reach the other lanes through subgroupBroadcast, and one vec4 of filter values
// for its 4 channels, then does 64 multiply-adds. Shapes, bindings and the epilogue are
// common/conv.wgsl's (one group; output channels divisible by 4). One entry point per subgroup
// size (8: llvmpipe; 4: SwiftShader).
//
// Joined after common/activation.wgsl, grid.wgsl, window.wgsl, conv.wgsl and subgroup.wgsl
// (src/ops/conv.ts).

// The filters [kD·kH·kW·C, OC] as vec4s along OC.
@group(0) @binding(2) var<storage, read> w4: array<vec4f>;

// Subgroups per workgroup, each a 16-pixel tile, stacked along the pixels.
override TILES_M: u32 = 4u;

// A lane's output pixel: its batch entry and the input position of tap (0, 0, 0).
struct PixelTaps { n: u32, d0: i32, h0: i32, w0: i32 }

fn pixelTaps(row: u32) -> PixelTaps {
  let px = outputPixel(row);
  return PixelTaps(px.w, i32(px.x * win.strideD) - win.padD, i32(px.y * win.strideH) - win.padH, i32(px.z * win.strideW) - win.padW);
}

// Kernel row (kd, kh) of pixel t: the input offset of j = 0, and the range [lo, hi) of
// j = kw·C + ci inside the input (empty where the row is in the padding).
fn kernelRow(t: PixelTaps, kd: u32, kh: u32) -> vec3i {
  let id = t.d0 + i32(kd * win.dilD);
  let ih = t.h0 + i32(kh * win.dilH);
  let inC = i32(p.inC);
  let ok = id >= 0 && id < i32(win.inD) && ih >= 0 && ih < i32(win.inH);
  let base = (((i32(t.n * win.inD) + id) * i32(win.inH) + ih) * i32(win.inW) + t.w0) * inC;
  let lo = max(0, -t.w0) * inC;
  let hi = select(0, clamp(i32(win.inW) - t.w0, 0, i32(win.kW)) * inC, ok);
  return vec3i(base, lo, hi);
}

// Input value j of kernel row r, zero in the padding (which reads offset 0 instead).
fn tapValue(r: vec3i, j: i32) -> f32 {
  let inside = j >= r.y && j < r.z;
  return select(0.0, x[u32(select(0, r.x + j, inside))], inside);
}

@compute @workgroup_size(8, TILES_M, 1)
fn conv_sg8(@builtin(workgroup_id) wg: vec3u, @builtin(global_invocation_id) gid: vec3u,
            @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let lane = lid.x;
  let rows = win.batch * win.outD * win.outH * win.outW;
  let row0 = threadRow(gid, nwg, TILES_M) * 16u;
  let col0 = wg.x * 32u;
  let N4 = p.outC / 4u;
  let span = i32(win.kW * p.inC);
  // Pixels and channels past the edge compute the last valid one (every lane must take part in
  // the broadcasts) and are not written.
  let n4 = min(col0 / 4u + lane, N4 - 1u);
  let t0 = pixelTaps(min(row0 + lane, rows - 1u));
  let t1 = pixelTaps(min(row0 + 8u + lane, rows - 1u));
  // acc[r]: pixel row0 + r, channels col0 + 4·lane + (0..3).
  var acc: array<vec4f, 16>;
  for (var kd = 0u; kd < win.kD; kd++) {
    for (var kh = 0u; kh < win.kH; kh++) {
      let r0 = kernelRow(t0, kd, kh);
      let r1 = kernelRow(t1, kd, kh);
      var wAt = (kd * win.kH + kh) * u32(span) * N4 + n4;
      for (var j = 0; j < span; j++) {
        let a0 = tapValue(r0, j);
        let a1 = tapValue(r1, j);
        let bv = w4[wAt];
        broadcastRows8(a0, a1, bv, &acc);
        wAt += N4;
      }
    }
  }
  storeTile(row0, rows, col0 + 4u * lane, &acc);
}

@compute @workgroup_size(4, TILES_M, 1)
fn conv_sg4(@builtin(workgroup_id) wg: vec3u, @builtin(global_invocation_id) gid: vec3u,
            @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let lane = lid.x;
  let rows = win.batch * win.outD * win.outH * win.outW;
  let row0 = threadRow(gid, nwg, TILES_M) * 16u;
  let col0 = wg.x * 16u;
  let N4 = p.outC / 4u;
  let span = i32(win.kW * p.inC);
  let n4 = min(col0 / 4u + lane, N4 - 1u);
  let t0 = pixelTaps(min(row0 + lane, rows - 1u));
  let t1 = pixelTaps(min(row0 + 4u + lane, rows - 1u));
  let t2 = pixelTaps(min(row0 + 8u + lane, rows - 1u));
  let t3 = pixelTaps(min(row0 + 12u + lane, rows - 1u));
  var acc: array<vec4f, 16>;
  for (var kd = 0u; kd < win.kD; kd++) {
    for (var kh = 0u; kh < win.kH; kh++) {
      let r0 = kernelRow(t0, kd, kh);
      let r1 = kernelRow(t1, kd, kh);
      let r2 = kernelRow(t2, kd, kh);
      let r3 = kernelRow(t3, kd, kh);
      var wAt = (kd * win.kH + kh) * u32(span) * N4 + n4;
      for (var j = 0; j < span; j++) {
        let a0 = tapValue(r0, j);
        let a1 = tapValue(r1, j);
        let a2 = tapValue(r2, j);
        let a3 = tapValue(r3, j);
        let bv = w4[wAt];
        broadcastRows4(vec4f(a0, a1, a2, a3), bv, &acc);
        wAt += N4;
      }
    }
  }
  storeTile(row0, rows, col0 + 4u * lane, &acc);
}

// The 16 pixels from row0 of a lane's 4 channels from oc0, where both exist.
fn storeTile(row0: u32, rows: u32, oc0: u32, acc: ptr<function, array<vec4f, 16>>) {
  for (var r = 0u; r < 16u; r++) {
    if (row0 + r >= rows) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (oc0 + j < p.outC) { epilogue(row0 + r, oc0 + j, (*acc)[r][j]); }
    }
  }
}
