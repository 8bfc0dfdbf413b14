// Embedding losses for Siamese training. Row kernels give one thread per batch row; the batch
// means are whole-tensor totals (reduce.wgsl) over rowLoss. DIST 0: squared euclidean, 1: euclidean.
// triplet_rows:     l = max(d(anchor, positive) − d(anchor, negative) + margin, 0) and its
//                   gradients w.r.t. the three (already / rows).
// contrastive_rows: d = d(left, right); euclidean: l = y·d² + (1 − y)·max(margin − d, 0)²;
//                   squared: l = y·s + (1 − y)·max(margin − s, 0) with s = ‖left − right‖².
// pair_rows:        ŷ = σ(Σ w·f + bias), f = |left − right| (FORM 0) or
//                   (left − right)²/(left + right) (FORM 1); l = softplus(z) − y·z;
//                   residual = (ŷ − y)/rows; gradients w.r.t. left and right.
// pair_weight_grad: gradW_k = Σ_b residual_b·f_bk.
// mine_rows:        per anchor i, over the pairwise distance matrix: MINING 0 all triplets,
//                   1 hardest positive + hardest negative, 2 semi-hard negative per positive
//                   (closest negative farther than the positive within the margin, else the
//                   hardest negative). Writes uses[i, ·] (+1 per positive use, −1 per negative
//                   use, in active triplets) and stats[i] = (Σ loss, active, valid).
// mining_finish:    loss = Σ loss / N, activeFraction = active/valid, norm = 1/N, with N the
//                   number of active triplets (all), valid anchors (hard) or valid pairs (semihard).
// embedding_grad:   grad_i = norm·Σ_j (uses_ij + uses_ji)·c_ij·(e_i − e_j), c = 2 (squared) or 1/D_ij.
// softmax_ce_rows:  classification: logits in `embeddings` [rows, dims], class ids in `labels`;
//                   l = logsumexp(z) − z_y (max-shifted), grad = (softmax(z) − onehot(y))/rows.
//
// Joined after common/grid.wgsl.

struct Params {
  rows: u32,
  dims: u32,
  margin: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
// Explicit triplets (triplet_rows): [rows, dims] each.
@group(0) @binding(1) var<storage, read> anchor: array<f32>;
@group(0) @binding(2) var<storage, read> positive: array<f32>;
@group(0) @binding(3) var<storage, read> negative: array<f32>;
@group(0) @binding(4) var<storage, read_write> gradAnchor: array<f32>;
@group(0) @binding(5) var<storage, read_write> gradPositive: array<f32>;
@group(0) @binding(6) var<storage, read_write> gradNegative: array<f32>;
// Pairs (contrastive_rows, pair_rows, pair_weight_grad): [rows, dims] each, labels [rows].
@group(0) @binding(7) var<storage, read> left: array<f32>;
@group(0) @binding(8) var<storage, read> right: array<f32>;
@group(0) @binding(9) var<storage, read> labels: array<f32>;
@group(0) @binding(10) var<storage, read_write> gradLeft: array<f32>;
@group(0) @binding(11) var<storage, read_write> gradRight: array<f32>;
// The pair classifier's weights [dims] and bias [1]; ŷ per row; (ŷ − y)/rows per row.
@group(0) @binding(12) var<storage, read> weights: array<f32>;
@group(0) @binding(13) var<storage, read> bias: array<f32>;
@group(0) @binding(14) var<storage, read_write> prob: array<f32>;
@group(0) @binding(15) var<storage, read_write> residual: array<f32>;
@group(0) @binding(16) var<storage, read_write> gradWeights: array<f32>;
@group(0) @binding(17) var<storage, read_write> rowLoss: array<f32>;
// Batch mining (mine_rows, mining_finish, embedding_grad): the batch's embeddings [rows, dims],
// their pairwise distances [rows, rows], each pair's use in active triplets [rows, rows], per
// anchor (Σ loss, active, valid) [rows, 3], the loss, active fraction and 1/N ([1] each).
@group(0) @binding(18) var<storage, read> embeddings: array<f32>;
@group(0) @binding(19) var<storage, read> dist: array<f32>;
@group(0) @binding(20) var<storage, read_write> uses: array<f32>;
@group(0) @binding(21) var<storage, read_write> stats: array<f32>;
@group(0) @binding(22) var<storage, read_write> loss: array<f32>;
@group(0) @binding(23) var<storage, read_write> activeFraction: array<f32>;
@group(0) @binding(24) var<storage, read_write> norm: array<f32>;
@group(0) @binding(25) var<storage, read_write> grad: array<f32>;

override WG: u32 = 64u;
override DIST: u32 = 0u;
override MINING: u32 = 0u;
override FORM: u32 = 0u;

/** Row r's squared distances anchor–positive (x) and anchor–negative (y). */
fn tripletSqDists(r: u32) -> vec2<f32> {
  var s = vec2(0.0);
  let base = r * p.dims;
  for (var k = 0u; k < p.dims; k++) {
    let d = anchor[base + k] - vec2(positive[base + k], negative[base + k]);
    s += d * d;
  }
  return s;
}

/** Row r's squared distance left–right. */
fn pairSqDist(r: u32) -> f32 {
  var s = 0.0;
  let base = r * p.dims;
  for (var k = 0u; k < p.dims; k++) {
    let d = left[base + k] - right[base + k];
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
  let r = flatIndex(gid, nwg, WG);
  if (r >= p.rows) { return; }
  let sq = tripletSqDists(r);
  let dp = distance(sq.x);
  let dn = distance(sq.y);
  let l = max(dp.x - dn.x + p.margin, 0.0);
  rowLoss[r] = l;
  let on = select(0.0, 1.0 / f32(p.rows), l > 0.0);
  let base = r * p.dims;
  for (var k = 0u; k < p.dims; k++) {
    let ap = anchor[base + k] - positive[base + k];
    let an = anchor[base + k] - negative[base + k];
    gradAnchor[base + k] = on * (dp.y * ap - dn.y * an);
    gradPositive[base + k] = -on * dp.y * ap;
    gradNegative[base + k] = on * dn.y * an;
  }
}

@compute @workgroup_size(WG)
fn contrastive_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg, WG);
  if (r >= p.rows) { return; }
  let d = distance(pairSqDist(r));
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
    let g = coef * (left[base + k] - right[base + k]);
    gradLeft[base + k] = g;
    gradRight[base + k] = -g;
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
  let r = flatIndex(gid, nwg, WG);
  if (r >= p.rows) { return; }
  let base = r * p.dims;
  var z = bias[0];
  for (var k = 0u; k < p.dims; k++) { z += weights[k] * pairFeature(left[base + k], right[base + k]); }
  let y = labels[r];
  let yHat = 1.0 / (1.0 + exp(-z));
  prob[r] = yHat;
  rowLoss[r] = max(z, 0.0) + log(1.0 + exp(-abs(z))) - y * z;
  let resid = (yHat - y) / f32(p.rows);
  residual[r] = resid;
  for (var k = 0u; k < p.dims; k++) {
    let x1 = left[base + k];
    let x2 = right[base + k];
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
    gradLeft[base + k] = resid * weights[k] * g1;
    gradRight[base + k] = resid * weights[k] * g2;
  }
}

@compute @workgroup_size(WG)
fn pair_weight_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flatIndex(gid, nwg, WG);
  if (k >= p.dims) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) { s += residual[r] * pairFeature(left[r * p.dims + k], right[r * p.dims + k]); }
  gradWeights[k] = s;
}

@compute @workgroup_size(WG)
fn mine_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg, WG);
  let B = p.rows;
  if (i >= B) { return; }
  let row = i * B;
  let li = labels[i];
  for (var j = 0u; j < B; j++) { uses[row + j] = 0.0; }
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
        uses[row + hardPos] += 1.0;
        uses[row + hardNeg] -= 1.0;
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
            uses[row + j] += 1.0;
            uses[row + k] -= 1.0;
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
          uses[row + j] += 1.0;
          uses[row + neg] -= 1.0;
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
  let n1 = select(0.0, 1.0 / n, n > 0.0);
  loss[0] = lossSum * n1;
  activeFraction[0] = select(0.0, nActive / nValid, nValid > 0.0);
  norm[0] = n1;
}

@compute @workgroup_size(WG)
fn embedding_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = flatIndex(gid, nwg, WG);
  let B = p.rows;
  if (e >= B * p.dims) { return; }
  let i = e / p.dims;
  let k = e % p.dims;
  let x = embeddings[e];
  var s = 0.0;
  for (var j = 0u; j < B; j++) {
    let w = uses[i * B + j] + uses[j * B + i];
    if (w == 0.0) { continue; }
    var f = 2.0;
    if (DIST == 1u) {
      let d = dist[i * B + j];
      f = select(0.0, 1.0 / d, d > 0.0);
    }
    s += w * f * (x - embeddings[j * p.dims + k]);
  }
  grad[e] = norm[0] * s;
}

@compute @workgroup_size(WG)
fn softmax_ce_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg, WG);
  if (r >= p.rows) { return; }
  let base = r * p.dims;
  var top = embeddings[base];
  for (var k = 1u; k < p.dims; k++) { top = max(top, embeddings[base + k]); }
  var total = 0.0;
  for (var k = 0u; k < p.dims; k++) { total += exp(embeddings[base + k] - top); }
  let y = u32(labels[r]);
  rowLoss[r] = log(total) + top - embeddings[base + y];
  for (var k = 0u; k < p.dims; k++) {
    let softmax = exp(embeddings[base + k] - top) / total;
    grad[base + k] = (softmax - select(0.0, 1.0, k == y)) / f32(p.rows);
  }
}
