// Where(cond, x, y) with numpy broadcasting of all three, on elem_t values: u32 words (any 32-bit dtype) or f16 halves.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: WhereParams;
@group(0) @binding(1) var<storage, read_write> cond: array<u32>;
@group(0) @binding(2) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> y: array<elem_t>;
@group(0) @binding(4) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  // one division per dim serves all three offsets; a constant trip count with a uniform guard, since
  // lavapipe runs a loop bounded by a uniform 2-4x slower
  var rem = i;
  var co = 0u;
  var xo = 0u;
  var yo = 0u;
  for (var d = 7u; d >= 1u; d--) {
    if (d >= params.rank) {
      continue;
    }
    let n = params.shape[d >> 2u][d & 3u];
    let q = rem / n;
    let c = rem - q * n;
    rem = q;
    co += c * params.c_strides[d >> 2u][d & 3u];
    xo += c * params.x_strides[d >> 2u][d & 3u];
    yo += c * params.y_strides[d >> 2u][d & 3u];
  }
  co += rem * params.c_strides[0].x;
  xo += rem * params.x_strides[0].x;
  yo += rem * params.y_strides[0].x;
  out[i] = select(y[yo], x[xo], cond[co] != 0u);
}
