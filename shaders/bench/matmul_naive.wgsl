// The first rung of the matmul ladder in kernels-bench: one output per invocation, row-major A [M,K] and
// B [K,N] (batch strides may be 0 to broadcast), no tiling. It exists to show how far each optimized variant climbs
// above it.

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: NaiveMatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WG;
  let mn = params.m * params.n;
  if (idx >= mn * params.batches) {
    return;
  }
  let batch = idx / mn;
  let r = (idx % mn) / params.n;
  let c = idx % params.n;
  let aBase = batch * params.a_batch_stride + r * params.k;
  let bBase = batch * params.b_batch_stride + c;
  var acc = 0.0;
  for (var kk = 0u; kk < params.k; kk++) {
    acc = fma(a[aBase + kk], b[bBase + kk * params.n], acc);
  }
  out[idx] = acc;
}
