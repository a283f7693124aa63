// Reduce sum / max / min / prod of integers (i64 and i32 live as i32 on the GPU), a lane per output;
// integer reductions here are small shape-like tensors, so there is no workgroup variant.
// kestrel:requires lib/indexing.wgsl lib/index4.wgsl

override WG: u32 = 64u;
// REDUCE_KINDS in src/kernels/reduce.ts: 0 sum, 2 max, 3 min, 4 prod
override KIND: u32 = 0u;

@group(0) @binding(0) var<uniform> params: ReduceI32Params;
@group(0) @binding(1) var<storage, read_write> x: array<i32>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = linear_index(gid, nwg, WG);
  if (o >= params.outputs) {
    return;
  }
  let base = offset4(o, params.kept_shape, params.kept_strides);
  var acc = params.init.x;
  for (var r = 0u; r < params.len; r++) {
    let v = x[base + offset4(r, params.red_shape, params.red_strides)];
    switch KIND {
      case 2u: { acc = max(acc, v); }
      case 3u: { acc = min(acc, v); }
      case 4u: { acc = acc * v; }
      default: { acc = acc + v; }
    }
  }
  y[o] = acc;
}
