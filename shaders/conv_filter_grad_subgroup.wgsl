enable subgroups;
// A subgroup is one row of the workgroup (x extent = subgroup size), so branches on its tile
// are uniform within it; WGSL's analysis cannot see that.
diagnostic(off, subgroup_uniformity);

// The convolution's filter gradient dw = patchesᵀ·dy as a GEMM on the design of
// matmul_subgroup.wgsl, for CPU Vulkan drivers (each thread a SIMD lane, every per-lane load a
// gather): rows are m = tap·C + ci (the filter [kD·kH·kW·C, OC] row by row), columns output
// channels, and the reduction runs over output pixels. One subgroup computes 16 rows x 4·SG
// channels over one chunk of pixels: per pixel each lane loads the input values of its 16/SG
// rows, which reach the other lanes through subgroupBroadcast, and one vec4 of dy for its 4
// channels, then does 64 multiply-adds. The pixels are split into `parts` chunks so that small
// filters still occupy many subgroups; part j writes dw_j and the parts are summed afterwards
// (reduce.wgsl). One group; output channels divisible by 4. One entry point per subgroup size
// (8: llvmpipe; 4: SwiftShader).
//
// Joined after common/grid.wgsl, common/window.wgsl and common/subgroup.wgsl (src/ops/conv-backward.ts).

struct Params {
  inC: u32, outC: u32,
  parts: u32, chunk: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
// dy [pixels, OC] as vec4s along OC.
@group(0) @binding(2) var<storage, read> dy4: array<vec4f>;
// dw_j [parts, kD·kH·kW·C, OC].
@group(0) @binding(3) var<storage, read_write> result: array<f32>;

// Subgroups per workgroup, each a 16-row tile, stacked along the rows.
override TILES_M: u32 = 4u;

// Filter row m = tap·C + ci, relative to its pixel's first tap: the offset of its input value
// (times 1, channels included) and the tap's displacement (kd, kh, kw)·dilation for the bounds.
struct FilterRow { offset: i32, d: i32, h: i32, w: i32 }

fn filterRow(m: u32) -> FilterRow {
  let ci = m % p.inC;
  let t = m / p.inC;
  let kw = t % win.kW;
  let kh = (t / win.kW) % win.kH;
  let kd = t / (win.kW * win.kH);
  let d = i32(kd * win.dilD);
  let h = i32(kh * win.dilH);
  let w = i32(kw * win.dilW);
  return FilterRow(((d * i32(win.inH) + h) * i32(win.inW) + w) * i32(p.inC) + i32(ci), d, h, w);
}

// An output pixel's window corner in the input (the position of tap (0, 0, 0), maybe in the
// padding) and that corner's input offset.
struct Corner { base: i32, d: i32, h: i32, w: i32 }

fn cornerOf(c: PixelCursor) -> Corner {
  let d = i32(c.od * win.strideD) - win.padD;
  let h = i32(c.oh * win.strideH) - win.padH;
  let w = i32(c.ow * win.strideW) - win.padW;
  return Corner((((i32(c.n * win.inD) + d) * i32(win.inH) + h) * i32(win.inW) + w) * i32(p.inC), d, h, w);
}

// The corner of the cursor's pixel, then the cursor moves to the next pixel.
fn nextCorner(cur: ptr<function, PixelCursor>) -> Corner {
  let c = cornerOf(*cur);
  advance(cur);
  return c;
}

// Input value of filter row r at the pixel of corner c, zero in the padding.
fn patchValue(c: Corner, r: FilterRow) -> f32 {
  let inside = u32(c.d + r.d) < win.inD && u32(c.h + r.h) < win.inH && u32(c.w + r.w) < win.inW;
  return select(0.0, x[u32(select(0, c.base + r.offset, inside))], inside);
}

// A subgroup's share: its part of the pixels [begin, end), its tile's first filter row and
// column, and the lane's vec4 of dy columns. Workgroups run along x over (part, column block).
// Rows and channels past the edge compute the last valid one (every lane must take part in the
// broadcasts) and are not written.
struct Job { part: u32, begin: u32, end: u32, row0: u32, col0: u32, rows: u32, n4: u32 }

fn jobOf(wg: vec3u, gid: vec3u, nwg: vec3u, lane: u32, width: u32) -> Job {
  let colBlocks = (p.outC + width - 1u) / width;
  let part = wg.x / colBlocks;
  let col0 = (wg.x % colBlocks) * width;
  let pixels = win.batch * win.outD * win.outH * win.outW;
  let begin = part * p.chunk;
  return Job(part, begin, min(begin + p.chunk, pixels), threadRow(gid, nwg, TILES_M) * 16u, col0,
             win.kD * win.kH * win.kW * p.inC, min(col0 / 4u + lane, p.outC / 4u - 1u));
}

// Filter row r of the job's tile (clamped to the last).
fn rowOf(job: Job, r: u32) -> FilterRow {
  return filterRow(min(job.row0 + r, job.rows - 1u));
}

@compute @workgroup_size(8, TILES_M, 1)
fn filter_grad_sg8(@builtin(workgroup_id) wg: vec3u, @builtin(global_invocation_id) gid: vec3u,
                   @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let job = jobOf(wg, gid, nwg, lid.x, 32u);
  let r0 = rowOf(job, lid.x);
  let r1 = rowOf(job, 8u + lid.x);
  var acc: array<vec4f, 16>;
  var cur = cursorAt(job.begin);
  for (var px = job.begin; px < job.end; px++) {
    let c = nextCorner(&cur);
    broadcastRows8(patchValue(c, r0), patchValue(c, r1), dy4[px * (p.outC / 4u) + job.n4], &acc);
  }
  storePart(job, 4u * lid.x, &acc);
}

@compute @workgroup_size(4, TILES_M, 1)
fn filter_grad_sg4(@builtin(workgroup_id) wg: vec3u, @builtin(global_invocation_id) gid: vec3u,
                   @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let job = jobOf(wg, gid, nwg, lid.x, 16u);
  let r0 = rowOf(job, lid.x);
  let r1 = rowOf(job, 4u + lid.x);
  let r2 = rowOf(job, 8u + lid.x);
  let r3 = rowOf(job, 12u + lid.x);
  var acc: array<vec4f, 16>;
  var cur = cursorAt(job.begin);
  for (var px = job.begin; px < job.end; px++) {
    let c = nextCorner(&cur);
    broadcastRows4(vec4f(patchValue(c, r0), patchValue(c, r1), patchValue(c, r2), patchValue(c, r3)), dy4[px * (p.outC / 4u) + job.n4], &acc);
  }
  storePart(job, 4u * lid.x, &acc);
}

// The tile's 16 rows of a lane's 4 channels (from column `lane4` of the tile), where both exist.
fn storePart(job: Job, lane4: u32, acc: ptr<function, array<vec4f, 16>>) {
  let oc0 = job.col0 + lane4;
  let at = job.part * job.rows * p.outC;
  for (var r = 0u; r < 16u; r++) {
    if (job.row0 + r >= job.rows) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (oc0 + j < p.outC) { result[at + (job.row0 + r) * p.outC + oc0 + j] = (*acc)[r][j]; }
    }
  }
}
