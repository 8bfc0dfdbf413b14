// Activations fused into kernels (conv, matmul and elementwise epilogues) and their derivatives
// (backward). A kernel passes its ACTIVATION (or OP) override as `code` and its leaky-ReLU slope;
// src/ops/activation.ts reads the codes from the constants below.

const ACTIVATION_NONE: u32 = 0u;
const ACTIVATION_RELU: u32 = 1u;
const ACTIVATION_RELU6: u32 = 2u;
const ACTIVATION_LEAKY_RELU: u32 = 3u;
const ACTIVATION_SIGMOID: u32 = 4u;
const ACTIVATION_TANH: u32 = 5u;
const ACTIVATION_HARD_SWISH: u32 = 6u;

fn activate4(code: u32, v: vec4f, slope: f32) -> vec4f {
  switch code {
    case ACTIVATION_RELU: { return max(v, vec4f(0.0)); }
    case ACTIVATION_RELU6: { return clamp(v, vec4f(0.0), vec4f(6.0)); }
    case ACTIVATION_LEAKY_RELU: { return select(v * slope, v, v >= vec4f(0.0)); }
    case ACTIVATION_SIGMOID: { return 1.0 / (1.0 + exp(-v)); }
    // exp of a non-positive number: no overflow for large |v|.
    case ACTIVATION_TANH: { let e = exp(-2.0 * abs(v)); return sign(v) * (1.0 - e) / (1.0 + e); }
    case ACTIVATION_HARD_SWISH: { return v * clamp(v + 3.0, vec4f(0.0), vec4f(6.0)) / 6.0; }
    default: { return v; }
  }
}

fn activate(code: u32, v: f32, slope: f32) -> f32 {
  return activate4(code, vec4f(v), slope).x;
}

// f'(v) at the activation's input v.
fn activationDerivative4(code: u32, v: vec4f, slope: f32) -> vec4f {
  switch code {
    case ACTIVATION_RELU: { return select(vec4f(0.0), vec4f(1.0), v > vec4f(0.0)); }
    case ACTIVATION_RELU6: { return select(vec4f(0.0), vec4f(1.0), (v > vec4f(0.0)) & (v < vec4f(6.0))); }
    case ACTIVATION_LEAKY_RELU: { return select(vec4f(slope), vec4f(1.0), v >= vec4f(0.0)); }
    case ACTIVATION_SIGMOID: { let s = 1.0 / (1.0 + exp(-v)); return s * (1.0 - s); }
    case ACTIVATION_TANH: { let e = exp(-2.0 * abs(v)); let t = (1.0 - e) / (1.0 + e); return 1.0 - t * t; }
    case ACTIVATION_HARD_SWISH: { return select(select((2.0 * v + 3.0) / 6.0, vec4f(1.0), v >= vec4f(3.0)), vec4f(0.0), v <= vec4f(-3.0)); }
    default: { return vec4f(1.0); }
  }
}
