// FMA throughput probe for benchmarks: eight independent vec4 FMA chains per thread, so the
// figure is limited by arithmetic, not memory. FLOPs = threads * ITERATIONS * 8 * 4 * 2.

struct Params {
  seed: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

override WG: u32 = 64u;
override ITERATIONS: u32 = 1024u;

@compute @workgroup_size(WG)
fn fma_peak(@builtin(global_invocation_id) gid: vec3<u32>) {
  let s = p.seed + f32(gid.x) * 1e-7;
  var r0 = vec4<f32>(s, s + 1.0, s + 2.0, s + 3.0);
  var r1 = r0 + 0.1; var r2 = r0 + 0.2; var r3 = r0 + 0.3;
  var r4 = r0 + 0.4; var r5 = r0 + 0.5; var r6 = r0 + 0.6; var r7 = r0 + 0.7;
  let m = vec4<f32>(0.9999);
  let c = vec4<f32>(1e-4);
  for (var i = 0u; i < ITERATIONS; i++) {
    r0 = fma(r0, m, c); r1 = fma(r1, m, c); r2 = fma(r2, m, c); r3 = fma(r3, m, c);
    r4 = fma(r4, m, c); r5 = fma(r5, m, c); r6 = fma(r6, m, c); r7 = fma(r7, m, c);
  }
  let t = r0 + r1 + r2 + r3 + r4 + r5 + r6 + r7;
  y[gid.x] = t.x + t.y + t.z + t.w;
}
