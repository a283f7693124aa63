// Batched matmul with subgroups and vec4 reads, for aligned operands: A row-major with K % 4 == 0, and B
// row-major with N % 4 == 0 or transposed (B_TRANS) with K % 4 == 0. A workgroup owns TM rows x
// (WG * 4 * TNV) columns of one batch, each lane a TM x (4 * TNV) block of outputs (TM a multiple of 8).
// Lane l reads the vec4 along k of rows l % 8, l % 8 + 8, ... and the other lanes take them through
// subgroupBroadcast, so each A element is read once per 8 lanes. WebGPU allows 4-lane subgroups: there
// each lane also reads the row 4 below its own (the k loop: lib/matmul_sg_core.wgsl). Stored as elem_t (f32
// or f16), computed in f32.
// kestrel:requires lib/matmul_sg_core.wgsl
// kestrel:prelude TM TNV
// kestrel:example TM=16 TNV=1
// kestrel:enable subgroups

override WG: u32 = 8u;
override B_TRANS: bool = false;
// tests only: take the 4-lane path on wider subgroups (it stays correct there)
override EMULATE_NARROW: bool = false;

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read_write> a: array<vec4<elem_t>>;
@group(0) @binding(2) var<storage, read_write> b: array<vec4<elem_t>>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// B[k + kk][4 * n4 + j] for kk, j in 0..3, as one vec4 per k (base and n4 in vec4 units).
fn load_b4(base: u32, k: u32, n4: u32) -> array<vec4<f32>, 4> {
  var rows: array<vec4<f32>, 4>;
  if (B_TRANS) {
    let k4 = params.k / 4u;
    let c0 = vec4<f32>(b[base + (n4 * 4u) * k4 + k / 4u]);
    let c1 = vec4<f32>(b[base + (n4 * 4u + 1u) * k4 + k / 4u]);
    let c2 = vec4<f32>(b[base + (n4 * 4u + 2u) * k4 + k / 4u]);
    let c3 = vec4<f32>(b[base + (n4 * 4u + 3u) * k4 + k / 4u]);
    rows[0] = vec4<f32>(c0.x, c1.x, c2.x, c3.x);
    rows[1] = vec4<f32>(c0.y, c1.y, c2.y, c3.y);
    rows[2] = vec4<f32>(c0.z, c1.z, c2.z, c3.z);
    rows[3] = vec4<f32>(c0.w, c1.w, c2.w, c3.w);
  } else {
    let w = params.n / 4u;
    rows[0] = vec4<f32>(b[base + k * w + n4]);
    rows[1] = vec4<f32>(b[base + (k + 1u) * w + n4]);
    rows[2] = vec4<f32>(b[base + (k + 2u) * w + n4]);
    rows[3] = vec4<f32>(b[base + (k + 3u) * w + n4]);
  }
  return rows;
}

// vec4 indices of the lane's A rows
alias ARows = array<u32, TM / 8u>;
// the lane's column groups (vec4 units, clamped)
alias BCols = array<u32, TNV>;

// the +4 rows of 4-lane subgroups clamp to the batch's last row
fn read_a(t: MatmulTile, rows: ptr<function, ARows>, j: u32, k: u32, hi: bool) -> vec4<f32> {
  if (hi) {
    return vec4<f32>(a[min((*rows)[j] + params.k, t.a_base / 4u + (params.m - 1u) * (params.k / 4u)) + k / 4u]);
  }
  return vec4<f32>(a[(*rows)[j] + k / 4u]);
}

fn read_b(t: MatmulTile, cols: ptr<function, BCols>, c: u32, k: u32) -> array<vec4<f32>, 4> {
  return load_b4(t.b_base / 4u, k, (*cols)[c]);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sid: u32,
        @builtin(subgroup_size) sg_size: u32) {
  let t = matmul_tile(wid, nwg, lid);
  let k4 = params.k / 4u;
  let narrow = sg_size < 8u || EMULATE_NARROW;
  var a_rows: ARows;
  for (var j = 0u; j < TM / 8u; j++) {
    a_rows[j] = t.a_base / 4u + min(t.m0 + j * 8u + (sid & 7u), params.m - 1u) * k4;
  }
  var cols: BCols;
  for (var c = 0u; c < TNV; c++) {
    cols[c] = min(t.c0 + c * WG, (params.n + 3u) / 4u - 1u);
  }
  var acc: array<vec4<f32>, TM * TNV>;
  sg_accumulate(t, &a_rows, &cols, narrow, &acc);
  store_tile(&acc, t);
}
