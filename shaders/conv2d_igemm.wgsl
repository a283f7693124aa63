// conv2d as an implicit GEMM without subgroups (see conv2d_igemm_sg.wgsl for the fast path on
// lavapipe): M = output channels of a group, N = output pixels, K = C/group * KH * KW. Each lane
// owns TM output channels x TN consecutive pixels of one output row and loads the input segment
// it needs for all KW taps of a kernel row once (lib/conv_igemm_core.wgsl). Handles groups, strides,
// asymmetric pads and dilation. TM must be a multiple of 4 and KW at most 7. Stored as elem_t (f32 or f16),
// computed in f32.
// kestrel:requires lib/conv_igemm_core.wgsl lib/weights.wgsl
// kestrel:prelude TM TN KW SW DW

override WG: u32 = 64u;

const TM4 = TM / 4u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// each lane reads its own weights: the group and the block's first output channel
struct TapWeights {
  g: u32,
  oc0: u32,
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let l = igemm_lane(wid, lid);
  var acc: array<vec4<f32>, ACC>;
  igemm_accumulate(l, TapWeights(l.g, l.oc0), &acc);
  igemm_store(l, &acc);
}

// Weights of output channels oc .. oc+3 of group g (clamped into it) at reduction index k.
fn load_weights4(g: u32, oc: u32, k: u32) -> vec4<f32> {
  let k_len = params.cin_g * params.kh * KW;
  let base = g * params.cout_g;
  let last = params.cout_g - 1u;
  return vec4<f32>(
    w_at((base + min(oc, last)) * k_len + k), w_at((base + min(oc + 1u, last)) * k_len + k),
    w_at((base + min(oc + 2u, last)) * k_len + k), w_at((base + min(oc + 3u, last)) * k_len + k));
}

// Kernel column kx of one kernel row: acc += W[:, k + kx] (x) win[j * SW + kx * DW]. No-op past KW.
fn tap(kx: u32, k: u32, win: ptr<function, array<f32, SEG>>, acc: ptr<function, array<vec4<f32>, ACC>>,
    w: TapWeights) {
  if (kx >= KW) {
    return;
  }
  for (var r4 = 0u; r4 < TM4; r4++) {
    let w4 = load_weights4(w.g, w.oc0 + r4 * 4u, k + kx);
    for (var j = 0u; j < TN; j++) {
      (*acc)[r4 * TN + j] = fma(w4, vec4<f32>((*win)[j * SW + kx * DW]), (*acc)[r4 * TN + j]);
    }
  }
}
