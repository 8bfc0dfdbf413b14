// The interface of the forward convolution kernels (conv.wgsl, conv_subgroup.wgsl): inputs
// viewed as [N, D, H, W, C] (2-D has D = 1; 1-D also H = 1), filters as
// [kD, kH, kW, C / groups, OC], outputs as [N, OD, OH, OW, OC]; channel c of group g is
// g * (C / groups) + c. The window (batch, sizes, kernel, strides, pads, dilations) is
// window.wgsl's `win`; the fused bias and activation run in `epilogue`.
// Joined after activation.wgsl, grid.wgsl and window.wgsl.

struct Params {
  inC: u32, outC: u32,
  cinPerGroup: u32, coutPerGroup: u32,
  // Leaky ReLU's.
  slope: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

override HAS_BIAS: bool = false;
// An activation code of activation.wgsl.
override ACTIVATION: u32 = 0u;

// Output pixel `row`, channel oc, from the convolution's sum.
fn epilogue(row: u32, oc: u32, sum: f32) {
  var v = sum;
  if (HAS_BIAS) { v += bias[oc]; }
  y[row * p.outC + oc] = activate(ACTIVATION, v, p.slope);
}
