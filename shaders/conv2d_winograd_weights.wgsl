// Winograd F(2x2, 3x3) weight transform U = G g G^T, run before conv2d_winograd.wgsl: one lane per
// (group, input channel, output channel padded to whole blocks of TM), zeros in the padding so the main
// kernel loads whole blocks. U is kept in f32 whatever the storage type of the weights.
// kestrel:requires lib/winograd_params.wgsl
// kestrel:prelude elem_t
// kestrel:example elem_t=f32

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: WinogradParams;
@group(0) @binding(1) var<storage, read_write> wt: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> u: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = gid.x + gid.y * nwg.x * WG;
  if (idx >= params.u_lanes) {
    return;
  }
  let cols = params.oc_blocks * params.tm;
  let oc = idx % cols;
  let gc = idx / cols;
  let g = gc / params.cin_g;
  let c = gc % params.cin_g;
  var k: array<f32, 9>;
  if (oc < params.cout_g) {
    let base = ((g * params.cout_g + oc) * params.cin_g + c) * 9u;
    for (var i = 0u; i < 9u; i++) {
      k[i] = f32(wt[base + i]);
    }
  }
  // G g: rows of G are (1,0,0), (1/2,1/2,1/2), (1/2,-1/2,1/2), (0,0,1), applied down each kernel column
  var gk: array<vec3<f32>, 4>;
  for (var j = 0u; j < 3u; j++) {
    let a = k[j];
    let b = k[3u + j];
    let d = k[6u + j];
    gk[0][j] = a;
    gk[1][j] = 0.5 * (a + b + d);
    gk[2][j] = 0.5 * (a - b + d);
    gk[3][j] = d;
  }
  let out0 = ((gc * params.oc_blocks + oc / params.tm) * 16u) * params.tm + oc % params.tm;
  for (var i = 0u; i < 4u; i++) {
    let r = gk[i];
    let row = vec4<f32>(r.x, 0.5 * (r.x + r.y + r.z), 0.5 * (r.x - r.y + r.z), r.z);
    for (var j = 0u; j < 4u; j++) {
      u[out0 + (i * 4u + j) * params.tm] = row[j];
    }
  }
}
