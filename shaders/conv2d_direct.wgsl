// conv2d, one output element per invocation with every loop bound in the uniform: the fallback for
// shapes the tiled kernels do not take (kernels wider than 7 or too wide for a register window).
// Any group, stride, pad and dilation. Stored as elem_t (f32 or f16), computed in f32.
// kestrel:requires lib/indexing.wgsl lib/conv_direct.wgsl lib/epilogue.wgsl

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: ConvParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  // lanes = total output elements here
  let idx = linear_index(gid, nwg, WG);
  if (idx >= params.lanes) {
    return;
  }
  let ow = idx % params.ow;
  let oh = (idx / params.ow) % params.oh;
  let oc = (idx / (params.ow * params.oh)) % params.cout;
  let n = idx / (params.ow * params.oh * params.cout);
  out[idx] = elem_t(apply_epilogue(conv_output(n, oc, oh, ow), oc, idx));
}
