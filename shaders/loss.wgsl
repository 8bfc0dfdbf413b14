// Embedding losses for Siamese training. Row kernels give one thread per batch row; the batch
// means are reductions in optim.wgsl over rowLoss. DIST 0: squared euclidean, 1: euclidean.
// triplet_rows:     l = max(d(a,p) − d(a,n) + margin, 0) and its gradients (already / rows).
// contrastive_rows: euclidean: l = y·d² + (1 − y)·max(margin − d, 0)²;
//                   squared:   l = y·s + (1 − y)·max(margin − s, 0) with s = ‖e1 − e2‖².
// pair_rows:        ŷ = σ(Σ w·f + b), f = |e1 − e2| (FORM 0) or (e1 − e2)²/(e1 + e2) (FORM 1);
//                   l = softplus(z) − y·z; resid = (ŷ − y)/rows; gradients w.r.t. e1, e2.
// pair_weight_grad: gradW_k = Σ_b resid_b·f_bk.
// mine_rows:        per anchor i, over the pairwise distance matrix: MINING 0 all triplets,
//                   1 hardest positive + hardest negative, 2 semi-hard negative per positive
//                   (closest negative farther than the positive within the margin, else the
//                   hardest negative). Writes W[i, ·] (+1 per positive use, −1 per negative
//                   use, in active triplets) and stats[i] = (Σ loss, active, valid).
// mining_finish:    loss = Σ loss / N, activeFraction = active/valid, norm = 1/N, with N the
//                   number of nActive triplets (all), nValid anchors (hard) or nValid pairs (semihard).
// embedding_grad:   grad_i = norm·Σ_j (W_ij + W_ji)·c_ij·(e_i − e_j), c = 2 (squared) or 1/D_ij.

struct Params {
  rows: u32,
  dims: u32,
  margin: f32,
  scale: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read> labels: array<f32>;
@group(0) @binding(5) var<storage, read> dist: array<f32>;
@group(0) @binding(6) var<storage, read> scalar: array<f32>;
@group(0) @binding(7) var<storage, read_write> weights: array<f32>;
@group(0) @binding(8) var<storage, read_write> stats: array<f32>;
@group(0) @binding(9) var<storage, read_write> out1: array<f32>;
@group(0) @binding(10) var<storage, read_write> out2: array<f32>;
@group(0) @binding(11) var<storage, read_write> out3: array<f32>;
@group(0) @binding(12) var<storage, read_write> rowLoss: array<f32>;

override WG: u32 = 64u;
override DIST: u32 = 0u;
override MINING: u32 = 0u;
override FORM: u32 = 0u;

fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

/** ‖a_r − b_r‖² (other = false) or ‖a_r − c_r‖² (other = true). */
fn sqDist(r: u32, other: bool) -> f32 {
  var s = 0.0;
  let base = r * p.dims;
  for (var k = 0u; k < p.dims; k++) {
    var d: f32;
    if (other) { d = a[base + k] - c[base + k]; } else { d = a[base + k] - b[base + k]; }
    s += d * d;
  }
  return s;
}

/** The distance used by the loss and dDist/d(x − y) = factor·(x − y). */
fn distance(s: f32) -> vec2<f32> {
  if (DIST == 1u) {
    let d = sqrt(s);
    return vec2(d, select(0.0, 1.0 / d, d > 0.0));
  }
  return vec2(s, 2.0);
}

@compute @workgroup_size(WG)
fn triplet_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let dp = distance(sqDist(r, false));
  let dn = distance(sqDist(r, true));
  let l = max(dp.x - dn.x + p.margin, 0.0);
  rowLoss[r] = l;
  let on = select(0.0, 1.0 / f32(p.rows), l > 0.0);
  let base = r * p.dims;
  for (var k = 0u; k < p.dims; k++) {
    let ap = a[base + k] - b[base + k];
    let an = a[base + k] - c[base + k];
    out1[base + k] = on * (dp.y * ap - dn.y * an);
    out2[base + k] = -on * dp.y * ap;
    out3[base + k] = on * dn.y * an;
  }
}

@compute @workgroup_size(WG)
fn contrastive_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let d = distance(sqDist(r, false));
  let y = labels[r];
  let gap = max(p.margin - d.x, 0.0);
  var l: f32;
  var dl: f32; // dL/dd
  if (DIST == 1u) {
    l = y * d.x * d.x + (1.0 - y) * gap * gap;
    dl = 2.0 * y * d.x - 2.0 * (1.0 - y) * gap;
  } else {
    l = y * d.x + (1.0 - y) * gap;
    dl = y - (1.0 - y) * select(0.0, 1.0, gap > 0.0);
  }
  rowLoss[r] = l;
  // Positive pairs: y·d² has gradient 2y·(e1 − e2) even at d = 0.
  var coef = dl * d.y;
  if (DIST == 1u) { coef = 2.0 * y - 2.0 * (1.0 - y) * gap * d.y; }
  coef /= f32(p.rows);
  let base = r * p.dims;
  for (var k = 0u; k < p.dims; k++) {
    let g = coef * (a[base + k] - b[base + k]);
    out1[base + k] = g;
    out2[base + k] = -g;
  }
}

fn pairFeature(x: f32, y: f32) -> f32 {
  let d = x - y;
  if (FORM == 1u) {
    let s = x + y;
    return select(0.0, d * d / s, abs(s) > 1e-12);
  }
  return abs(d);
}

@compute @workgroup_size(WG)
fn pair_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let base = r * p.dims;
  var z = scalar[0];
  for (var k = 0u; k < p.dims; k++) { z += c[k] * pairFeature(a[base + k], b[base + k]); }
  let y = labels[r];
  let prob = 1.0 / (1.0 + exp(-z));
  out3[r] = prob;
  rowLoss[r] = max(z, 0.0) + log(1.0 + exp(-abs(z))) - y * z;
  let resid = (prob - y) / f32(p.rows);
  stats[r] = resid;
  for (var k = 0u; k < p.dims; k++) {
    let x1 = a[base + k];
    let x2 = b[base + k];
    let d = x1 - x2;
    var g1: f32;
    var g2: f32;
    if (FORM == 1u) {
      let s = x1 + x2;
      if (abs(s) > 1e-12) {
        g1 = 2.0 * d / s - d * d / (s * s);
        g2 = -2.0 * d / s - d * d / (s * s);
      } else {
        g1 = 0.0;
        g2 = 0.0;
      }
    } else {
      g1 = sign(d);
      g2 = -sign(d);
    }
    out1[base + k] = resid * c[k] * g1;
    out2[base + k] = resid * c[k] * g2;
  }
}

@compute @workgroup_size(WG)
fn pair_weight_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flatIndex(gid, nwg);
  if (k >= p.dims) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) { s += stats[r] * pairFeature(a[r * p.dims + k], b[r * p.dims + k]); }
  out1[k] = s;
}

@compute @workgroup_size(WG)
fn mine_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  let B = p.rows;
  if (i >= B) { return; }
  let row = i * B;
  let li = labels[i];
  for (var j = 0u; j < B; j++) { weights[row + j] = 0.0; }
  var lossSum = 0.0;
  var nActive = 0.0;
  var nValid = 0.0;
  // The hardest negative (closest), shared by 'hard' and the semi-hard fallback.
  var hardNeg = B;
  for (var k = 0u; k < B; k++) {
    if (labels[k] != li && (hardNeg == B || dist[row + k] < dist[row + hardNeg])) { hardNeg = k; }
  }
  if (MINING == 1u) {
    var hardPos = B;
    for (var j = 0u; j < B; j++) {
      if (j != i && labels[j] == li && (hardPos == B || dist[row + j] > dist[row + hardPos])) { hardPos = j; }
    }
    if (hardPos < B && hardNeg < B) {
      nValid = 1.0;
      let l = dist[row + hardPos] - dist[row + hardNeg] + p.margin;
      if (l > 0.0) {
        lossSum = l;
        nActive = 1.0;
        weights[row + hardPos] += 1.0;
        weights[row + hardNeg] -= 1.0;
      }
    }
  } else {
    for (var j = 0u; j < B; j++) {
      if (j == i || labels[j] != li) { continue; }
      let dp = dist[row + j];
      if (MINING == 0u) {
        for (var k = 0u; k < B; k++) {
          if (labels[k] == li) { continue; }
          nValid += 1.0;
          let l = dp - dist[row + k] + p.margin;
          if (l > 0.0) {
            lossSum += l;
            nActive += 1.0;
            weights[row + j] += 1.0;
            weights[row + k] -= 1.0;
          }
        }
      } else if (hardNeg < B) {
        var semi = B;
        for (var k = 0u; k < B; k++) {
          let dk = dist[row + k];
          if (labels[k] != li && dk > dp && dk < dp + p.margin && (semi == B || dk < dist[row + semi])) { semi = k; }
        }
        let neg = select(hardNeg, semi, semi < B);
        nValid += 1.0;
        let l = dp - dist[row + neg] + p.margin;
        if (l > 0.0) {
          lossSum += l;
          nActive += 1.0;
          weights[row + j] += 1.0;
          weights[row + neg] -= 1.0;
        }
      }
    }
  }
  stats[i * 3u] = lossSum;
  stats[i * 3u + 1u] = nActive;
  stats[i * 3u + 2u] = nValid;
}

@compute @workgroup_size(1)
fn mining_finish() {
  var lossSum = 0.0;
  var nActive = 0.0;
  var nValid = 0.0;
  for (var i = 0u; i < p.rows; i++) {
    lossSum += stats[i * 3u];
    nActive += stats[i * 3u + 1u];
    nValid += stats[i * 3u + 2u];
  }
  let n = select(nValid, nActive, MINING == 0u);
  let norm = select(0.0, 1.0 / n, n > 0.0);
  out1[0] = lossSum * norm;
  out2[0] = select(0.0, nActive / nValid, nValid > 0.0);
  out3[0] = norm;
}

@compute @workgroup_size(WG)
fn embedding_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg);
  let B = p.rows;
  if (e >= B * p.dims) { return; }
  let i = e / p.dims;
  let k = e % p.dims;
  let x = a[e];
  var s = 0.0;
  for (var j = 0u; j < B; j++) {
    let w = weights[i * B + j] + weights[j * B + i];
    if (w == 0.0) { continue; }
    var f = 2.0;
    if (DIST == 1u) {
      let d = dist[i * B + j];
      f = select(0.0, 1.0 / d, d > 0.0);
    }
    s += w * f * (x - a[j * p.dims + k]);
  }
  out1[e] = c[0] * s;
}
