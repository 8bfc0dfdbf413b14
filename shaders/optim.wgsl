// Optimiser updates over flat f32 buffers of any size, one value per thread (joined after
// common/grid.wgsl). The hyperparameters' defaults live in src/nn/optimizers.ts.
// sgd_step:   velocity = momentum·velocity + (grad + wd·param);
//             param −= lr·(nesterov ? grad + wd·param + momentum·velocity : velocity)
//             (PyTorch SGD without dampening; momentum 0 gives plain param −= lr·(grad + wd·param)
//             and leaves velocity alone).
// adam_step:  AdamW: param *= 1 − lr·wd; moment1, moment2 the moving moments;
//             param −= lr·(moment1/bc1)/(sqrt(moment2/bc2) + epsilon).
// clip_by_norm: grad *= min(1, maxNorm/(norm[0] + 1e-6)), norm[0] the gradients' global norm.

struct Params {
  size: u32,
  nesterov: u32,
  lr: f32,
  momentum: f32,
  weightDecay: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  /** Adam's bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ for step t. */
  bc1: f32,
  bc2: f32,
  maxNorm: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(4) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(5) var<storage, read_write> moment2: array<f32>;
/** The gradient clip_by_norm scales in place. */
@group(0) @binding(6) var<storage, read_write> clipped: array<f32>;
@group(0) @binding(7) var<storage, read> norm: array<f32>;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn sgd_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let d = grad[i] + p.weightDecay * param[i];
  if (p.momentum == 0.0) {
    param[i] -= p.lr * d;
    return;
  }
  let vel = p.momentum * velocity[i] + d;
  velocity[i] = vel;
  param[i] -= p.lr * select(vel, d + p.momentum * vel, p.nesterov == 1u);
}

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  let gi = grad[i];
  let mi = p.beta1 * moment1[i] + (1.0 - p.beta1) * gi;
  let vi = p.beta2 * moment2[i] + (1.0 - p.beta2) * gi * gi;
  moment1[i] = mi;
  moment2[i] = vi;
  let decayed = param[i] * (1.0 - p.lr * p.weightDecay);
  param[i] = decayed - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.epsilon);
}

@compute @workgroup_size(WG)
fn clip_by_norm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  if (i >= p.size) { return; }
  clipped[i] *= min(1.0, p.maxNorm / (norm[0] + 1e-6));
}
