// Thread indices on the grids the engine dispatches (src/gpu/engine.ts, DispatchSpec.threads).
// Past the device's limit of workgroups per dimension (65,535 at least) the engine folds a 1-D
// grid into x·y and a 2-D grid's y into y·z; these read an index through the fold.

// The index of a thread in a 1-D grid of workgroups `width` threads wide.
fn flatIndex(gid: vec3u, nwg: vec3u, width: u32) -> u32 {
  return gid.x + gid.y * nwg.x * width;
}

// The y index of a thread in a 2-D grid of workgroups `height` threads high.
fn threadRow(gid: vec3u, nwg: vec3u, height: u32) -> u32 {
  return gid.y + gid.z * nwg.y * height;
}
