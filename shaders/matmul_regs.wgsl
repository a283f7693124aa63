// Batched matmul without subgroups, private arrays or loops over the block: a workgroup of WG x 4 lanes
// owns TM = 16 rows x (WG * 4) columns of one batch, each lane a 4 x 4 block held in four vec4 registers.
// Software Vulkan drivers that keep indexed private arrays in memory (SwiftShader) run this shape at
// register speed; operands are read through element strides, so any M, N, K and transposes work.
// kestrel:requires lib/epilogue.wgsl lib/index4.wgsl lib/matmul_tile.wgsl lib/matmul_strided.wgsl lib/weights.wgsl
// kestrel:prelude TM TNV
// kestrel:example TM=16 TNV=1

override WG: u32 = 16u;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// B[k + kk][cols] for one kk, zero past K.
fn load_b_row(base: u32, k: u32, cols: vec4<u32>) -> vec4<f32> {
  let o = base + k * params.b_sk;
  let v = vec4<f32>(w_at(o + cols.x), w_at(o + cols.y), w_at(o + cols.z), w_at(o + cols.w));
  return select(vec4<f32>(0.0), v, k < params.k);
}

fn mad_row(acc: vec4<f32>, av: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
  return acc + av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;
}

// alpha, the epilogue and the store of one row of the lane's block (columns past N skipped).
fn store_row(t: MatmulTile, m: u32, v: vec4<f32>) {
  if (m >= params.m) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let n = t.c0 * 4u + j;
    if (n < params.n) {
      let index = (t.batch * params.m + m) * params.n + n;
      out[index] = elem_t(apply_epilogue(v[j] * params.alpha, n, index));
    }
  }
}

@compute @workgroup_size(WG, 4)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = matmul_tile(wid, nwg, lid.x);
  if (t.batch >= params.batches) {
    return;
  }
  let m = t.m0 + lid.y * 4u;
  let r0 = a_row_offset(t, m);
  let r1 = a_row_offset(t, m + 1u);
  let r2 = a_row_offset(t, m + 2u);
  let r3 = a_row_offset(t, m + 3u);
  let cols = b_col_offsets(t, 0u);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < params.k; k += 4u) {
    let b0 = load_b_row(t.b_base, k, cols);
    let b1 = load_b_row(t.b_base, k + 1u, cols);
    let b2 = load_b_row(t.b_base, k + 2u, cols);
    let b3 = load_b_row(t.b_base, k + 3u, cols);
    acc0 = mad_row(acc0, load_a4(r0, k), b0, b1, b2, b3);
    acc1 = mad_row(acc1, load_a4(r1, k), b0, b1, b2, b3);
    acc2 = mad_row(acc2, load_a4(r2, k), b0, b1, b2, b3);
    acc3 = mad_row(acc3, load_a4(r3, k), b0, b1, b2, b3);
  }
  store_row(t, m, acc0);
  store_row(t, m + 1u, acc1);
  store_row(t, m + 2u, acc2);
  store_row(t, m + 3u, acc3);
}
