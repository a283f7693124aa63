// Batched matmul without subgroups: a workgroup owns TM rows x (WG * 4 * TNV) columns of one batch, each
// lane a TM x (4 * TNV) block of outputs, reading A's rows and B's columns itself. Stored as elem_t, computed in f32.
// kestrel:requires lib/matmul_tile.wgsl lib/matmul_strided.wgsl
// kestrel:prelude TM TNV

override WG: u32 = 8u;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = matmul_tile(wid, nwg, lid);
  var acc: array<vec4<f32>, TM * TNV>;
  accumulate_rows(&acc, t);
  store_tile(&acc, t);
}
