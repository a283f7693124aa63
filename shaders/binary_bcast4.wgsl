// Elementwise binary op of a contiguous "full" operand with a broadcast "low" operand, four outputs per
// lane (vec4 loads and stores of the full operand and the output). The output is viewed as rows x cols;
// the low operand is read at (row >> SHIFT_H) * low_row_stride + (col >> SHIFT_W) * low_col_stride, which
// covers per-channel scales (x * s[c]) and nearest upsampling by powers of two (up(x) + y) without any
// integer division. Stored as elem_t, computed in f32, plus the fused epilogue.
// kestrel:requires lib/epilogue.wgsl
// kestrel:prelude elem_t

override OP: u32 = 0u;
// a workgroup covers WG_Y rows of WG_X vec4 columns (short rows still fill it)
override WG_X: u32 = 64u;
override WG_Y: u32 = 1u;
// true: a is the full operand (op(full, low)); false: b is (op(low, full))
override FULL_IS_A: bool = true;

@group(0) @binding(0) var<uniform> params: Bcast4Params;
@group(0) @binding(1) var<storage, read_write> full: array<vec4<elem_t>>;
@group(0) @binding(2) var<storage, read_write> low: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<elem_t>>;

// Codes follow BINARY_CODES in src/kernels/binary.ts (the subset this kernel is chosen for).
fn bcast_op(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 5u: { return max(x, y); }
    case 6u: { return min(x, y); }
    case 9u: { return select(x * y, x, x >= 0.0); }
    default: { return x; }
  }
}

fn ordered(f: f32, l: f32) -> f32 {
  return select(bcast_op(l, f), bcast_op(f, l), FULL_IS_A);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c4 = gid.x;
  if (c4 >= params.cols4) {
    return;
  }
  let row = gid.y;
  if (row >= params.rows) {
    return;
  }
  let i4 = row * params.cols4 + c4;
  let f = vec4<f32>(full[i4]);
  let low_row = (row >> params.shift_h) * params.low_row_stride;
  let col = c4 * 4u;
  var l: vec4<f32>;
  if (params.low_col_stride == 0u) {
    // one value per row (per-channel scale): one load
    l = vec4<f32>(f32(low[low_row]));
  } else {
    for (var k = 0u; k < 4u; k++) {
      l[k] = f32(low[low_row + ((col + k) >> params.shift_w) * params.low_col_stride]);
    }
  }
  let i = i4 * 4u;
  out[i4] = vec4<elem_t>(vec4<f32>(
    apply_epilogue(ordered(f.x, l.x), 0u, i),
    apply_epilogue(ordered(f.y, l.y), 0u, i + 1u),
    apply_epilogue(ordered(f.z, l.z), 0u, i + 2u),
    apply_epilogue(ordered(f.w, l.w), 0u, i + 3u),
  ));
}
