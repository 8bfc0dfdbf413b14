// The broadcast step of the subgroup kernels (matmul_subgroup.wgsl, conv_subgroup.wgsl): a
// subgroup owns 16 rows of the output; each lane holds the A values of 16/SG of them, and every
// lane adds each row's value times its own B vector to that row's accumulator. The lane ids of
// subgroupBroadcast must be constants, hence one function per subgroup size. The kernel file
// enables subgroups.

// 8 lanes: a0 holds row lane, a1 row 8 + lane.
fn broadcastRows8(a0: f32, a1: f32, bv: vec4f, acc: ptr<function, array<vec4f, 16>>) {
  (*acc)[0] = fma(vec4f(subgroupBroadcast(a0, 0u)), bv, (*acc)[0]);
  (*acc)[1] = fma(vec4f(subgroupBroadcast(a0, 1u)), bv, (*acc)[1]);
  (*acc)[2] = fma(vec4f(subgroupBroadcast(a0, 2u)), bv, (*acc)[2]);
  (*acc)[3] = fma(vec4f(subgroupBroadcast(a0, 3u)), bv, (*acc)[3]);
  (*acc)[4] = fma(vec4f(subgroupBroadcast(a0, 4u)), bv, (*acc)[4]);
  (*acc)[5] = fma(vec4f(subgroupBroadcast(a0, 5u)), bv, (*acc)[5]);
  (*acc)[6] = fma(vec4f(subgroupBroadcast(a0, 6u)), bv, (*acc)[6]);
  (*acc)[7] = fma(vec4f(subgroupBroadcast(a0, 7u)), bv, (*acc)[7]);
  (*acc)[8] = fma(vec4f(subgroupBroadcast(a1, 0u)), bv, (*acc)[8]);
  (*acc)[9] = fma(vec4f(subgroupBroadcast(a1, 1u)), bv, (*acc)[9]);
  (*acc)[10] = fma(vec4f(subgroupBroadcast(a1, 2u)), bv, (*acc)[10]);
  (*acc)[11] = fma(vec4f(subgroupBroadcast(a1, 3u)), bv, (*acc)[11]);
  (*acc)[12] = fma(vec4f(subgroupBroadcast(a1, 4u)), bv, (*acc)[12]);
  (*acc)[13] = fma(vec4f(subgroupBroadcast(a1, 5u)), bv, (*acc)[13]);
  (*acc)[14] = fma(vec4f(subgroupBroadcast(a1, 6u)), bv, (*acc)[14]);
  (*acc)[15] = fma(vec4f(subgroupBroadcast(a1, 7u)), bv, (*acc)[15]);
}

// 4 lanes: values[i] holds row 4·i + lane. (Parameters are not named after a kernel's bindings:
// the reflection would count them as used.)
fn broadcastRows4(values: vec4f, bv: vec4f, acc: ptr<function, array<vec4f, 16>>) {
  (*acc)[0] = fma(vec4f(subgroupBroadcast(values.x, 0u)), bv, (*acc)[0]);
  (*acc)[1] = fma(vec4f(subgroupBroadcast(values.x, 1u)), bv, (*acc)[1]);
  (*acc)[2] = fma(vec4f(subgroupBroadcast(values.x, 2u)), bv, (*acc)[2]);
  (*acc)[3] = fma(vec4f(subgroupBroadcast(values.x, 3u)), bv, (*acc)[3]);
  (*acc)[4] = fma(vec4f(subgroupBroadcast(values.y, 0u)), bv, (*acc)[4]);
  (*acc)[5] = fma(vec4f(subgroupBroadcast(values.y, 1u)), bv, (*acc)[5]);
  (*acc)[6] = fma(vec4f(subgroupBroadcast(values.y, 2u)), bv, (*acc)[6]);
  (*acc)[7] = fma(vec4f(subgroupBroadcast(values.y, 3u)), bv, (*acc)[7]);
  (*acc)[8] = fma(vec4f(subgroupBroadcast(values.z, 0u)), bv, (*acc)[8]);
  (*acc)[9] = fma(vec4f(subgroupBroadcast(values.z, 1u)), bv, (*acc)[9]);
  (*acc)[10] = fma(vec4f(subgroupBroadcast(values.z, 2u)), bv, (*acc)[10]);
  (*acc)[11] = fma(vec4f(subgroupBroadcast(values.z, 3u)), bv, (*acc)[11]);
  (*acc)[12] = fma(vec4f(subgroupBroadcast(values.w, 0u)), bv, (*acc)[12]);
  (*acc)[13] = fma(vec4f(subgroupBroadcast(values.w, 1u)), bv, (*acc)[13]);
  (*acc)[14] = fma(vec4f(subgroupBroadcast(values.w, 2u)), bv, (*acc)[14]);
  (*acc)[15] = fma(vec4f(subgroupBroadcast(values.w, 3u)), bv, (*acc)[15]);
}

// acc + u.x·v[0] + u.y·v[1] + u.z·v[2] + u.w·v[3], in that order (the order of K, as the other
// kernels sum).
fn fma4(u: vec4f, v: array<vec4f, 4>, acc: vec4f) -> vec4f {
  return fma(vec4f(u.w), v[3], fma(vec4f(u.z), v[2], fma(vec4f(u.y), v[1], fma(vec4f(u.x), v[0], acc))));
}

// Four steps along K at once (A read as vec4s along K, B rows k..k+3 in bk); 8 lanes: a0 holds
// row lane, a1 row 8 + lane.
fn broadcastSteps8(a0: vec4f, a1: vec4f, bk: array<vec4f, 4>, acc: ptr<function, array<vec4f, 16>>) {
  (*acc)[0] = fma4(subgroupBroadcast(a0, 0u), bk, (*acc)[0]);
  (*acc)[1] = fma4(subgroupBroadcast(a0, 1u), bk, (*acc)[1]);
  (*acc)[2] = fma4(subgroupBroadcast(a0, 2u), bk, (*acc)[2]);
  (*acc)[3] = fma4(subgroupBroadcast(a0, 3u), bk, (*acc)[3]);
  (*acc)[4] = fma4(subgroupBroadcast(a0, 4u), bk, (*acc)[4]);
  (*acc)[5] = fma4(subgroupBroadcast(a0, 5u), bk, (*acc)[5]);
  (*acc)[6] = fma4(subgroupBroadcast(a0, 6u), bk, (*acc)[6]);
  (*acc)[7] = fma4(subgroupBroadcast(a0, 7u), bk, (*acc)[7]);
  (*acc)[8] = fma4(subgroupBroadcast(a1, 0u), bk, (*acc)[8]);
  (*acc)[9] = fma4(subgroupBroadcast(a1, 1u), bk, (*acc)[9]);
  (*acc)[10] = fma4(subgroupBroadcast(a1, 2u), bk, (*acc)[10]);
  (*acc)[11] = fma4(subgroupBroadcast(a1, 3u), bk, (*acc)[11]);
  (*acc)[12] = fma4(subgroupBroadcast(a1, 4u), bk, (*acc)[12]);
  (*acc)[13] = fma4(subgroupBroadcast(a1, 5u), bk, (*acc)[13]);
  (*acc)[14] = fma4(subgroupBroadcast(a1, 6u), bk, (*acc)[14]);
  (*acc)[15] = fma4(subgroupBroadcast(a1, 7u), bk, (*acc)[15]);
}

// The same for 4 lanes: values[i] holds row 4·i + lane.
fn broadcastSteps4(values: array<vec4f, 4>, bk: array<vec4f, 4>, acc: ptr<function, array<vec4f, 16>>) {
  (*acc)[0] = fma4(subgroupBroadcast(values[0], 0u), bk, (*acc)[0]);
  (*acc)[1] = fma4(subgroupBroadcast(values[0], 1u), bk, (*acc)[1]);
  (*acc)[2] = fma4(subgroupBroadcast(values[0], 2u), bk, (*acc)[2]);
  (*acc)[3] = fma4(subgroupBroadcast(values[0], 3u), bk, (*acc)[3]);
  (*acc)[4] = fma4(subgroupBroadcast(values[1], 0u), bk, (*acc)[4]);
  (*acc)[5] = fma4(subgroupBroadcast(values[1], 1u), bk, (*acc)[5]);
  (*acc)[6] = fma4(subgroupBroadcast(values[1], 2u), bk, (*acc)[6]);
  (*acc)[7] = fma4(subgroupBroadcast(values[1], 3u), bk, (*acc)[7]);
  (*acc)[8] = fma4(subgroupBroadcast(values[2], 0u), bk, (*acc)[8]);
  (*acc)[9] = fma4(subgroupBroadcast(values[2], 1u), bk, (*acc)[9]);
  (*acc)[10] = fma4(subgroupBroadcast(values[2], 2u), bk, (*acc)[10]);
  (*acc)[11] = fma4(subgroupBroadcast(values[2], 3u), bk, (*acc)[11]);
  (*acc)[12] = fma4(subgroupBroadcast(values[3], 0u), bk, (*acc)[12]);
  (*acc)[13] = fma4(subgroupBroadcast(values[3], 1u), bk, (*acc)[13]);
  (*acc)[14] = fma4(subgroupBroadcast(values[3], 2u), bk, (*acc)[14]);
  (*acc)[15] = fma4(subgroupBroadcast(values[3], 3u), bk, (*acc)[15]);
}
