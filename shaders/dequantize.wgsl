// y = (q - zero_point) * scale, per tensor, per axis or blocked; q may be packed int8/uint8/int4/uint4; scale and y are
// elem_t
// (f32 or f16), the math f32.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl lib/quant.wgsl

override WG: u32 = 256u;
override X_MODE: u32 = 0u;
override ZP_MODE: u32 = 0u;
override HAS_ZP: bool = false;
// One scale and zero point: no index math (integer division is a per-lane loop on lavapipe).
override PER_TENSOR: bool = false;

@group(0) @binding(0) var<uniform> params: DequantizeParams;
@group(0) @binding(1) var<storage, read_write> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> scale: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> zero_point: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<elem_t>;

// per-axis layouts on a 2-D grid: y = outer * axis_dim + a (one row per scale), x = inner index, so the
// scale index needs one modulo per invocation instead of the general divisions
override ROWS: bool = false;
// the axis is the last dim (matmul weights [K, N] per column): x = a, y = outer, so no modulo at all; the
// ROWS grid would give every element a workgroup of its own there
override LAST_AXIS: bool = false;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var i: u32;
  var p: u32;
  if (LAST_AXIS) {
    if (gid.x >= params.q.axis_dim) {
      return;
    }
    i = gid.y * params.q.axis_dim + gid.x;
    p = gid.x;
  } else if (ROWS) {
    if (gid.x >= params.q.inner) {
      return;
    }
    i = gid.y * params.q.inner + gid.x;
    p = gid.y % params.q.axis_dim;
  } else {
    i = linear_index(gid, nwg, WG);
    if (i >= params.count) {
      return;
    }
    p = 0u;
    if (!PER_TENSOR) {
      p = quant_param_index(i, params.q);
    }
  }
  var zp = 0;
  if (HAS_ZP) {
    zp = unpack_int(zero_point[packed_word_index(p, ZP_MODE)], p, ZP_MODE);
  }
  y[i] = elem_t(f32(unpack_int(x[packed_word_index(i, X_MODE)], i, X_MODE) - zp) * f32(scale[p]));
}
