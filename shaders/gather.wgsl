// Gather along one axis: out[o, j, r] = data[o, wrap(indices[j]), r] over elem_t values (u32 words, or f16 halves).
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: GatherParams;
@group(0) @binding(1) var<storage, read_write> data: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  let r = i % params.inner;
  let t = i / params.inner;
  let j = t % params.n_idx;
  let o = t / params.n_idx;
  let dim = i32(params.axis_dim);
  var k = indices[j];
  k = select(k, k + dim, k < 0);
  // out-of-range indices are a model error; clamp so the read stays inside the tensor
  let kk = u32(clamp(k, 0, dim - 1));
  out[i] = data[(o * params.axis_dim + kk) * params.inner + r];
}
