// convTranspose2d (NCHW, weight [C, OC/g, KH, KW]) as a gather: each output pixel sums the input
// pixels that map onto it. The grid is split by output phase (oh mod SH, ow mod SW): within one
// phase the kernel taps that contribute are the same for every pixel (a uniform branch), and
// consecutive phase columns read consecutive input columns, so a lane owns TM output channels x
// TN phase columns of one phase row (lib/conv_transpose_core.wgsl). Any stride, pad, dilation, group and
// output padding. TM a multiple of 4. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/conv_transpose_core.wgsl lib/weights.wgsl
// kestrel:prelude TM TN

override WG: u32 = 64u;

const TM4 = TM / 4u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// each lane reads its own weights: the block's first output channel
alias TapWeights = u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let b = phase_block(wid);
  let l = phase_lane(b, wid, lid);
  var acc: array<vec4<f32>, ACC>;
  phase_accumulate(b, l, b.oc0, &acc);
  phase_store(b, l, &acc);
}

// One tap: acc += W[cin, oc0 .. oc0+TM, tap] (x) xv.
fn tap(w_tap: u32, xv: ptr<function, array<f32, TN>>, acc: ptr<function, array<vec4<f32>, ACC>>, oc0: TapWeights) {
  let taps = params.kh * params.kw;
  let last = params.cout_g - 1u;
  for (var r4 = 0u; r4 < TM4; r4++) {
    let oc = oc0 + r4 * 4u;
    let w4 = vec4<f32>(w_at(w_tap + min(oc, last) * taps), w_at(w_tap + min(oc + 1u, last) * taps),
        w_at(w_tap + min(oc + 2u, last) * taps), w_at(w_tap + min(oc + 3u, last) * taps));
    for (var j = 0u; j < TN; j++) {
      (*acc)[r4 * TN + j] = fma(w4, vec4<f32>((*xv)[j]), (*acc)[r4 * TN + j]);
    }
  }
}
