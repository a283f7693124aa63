// Elementwise binary arithmetic (stored as elem_t, f32 or f16; computed in f32) with numpy broadcasting, plus the fused
// epilogue
// (so Add+Relu or a residual chain is one dispatch).
// kestrel:requires lib/indexing.wgsl lib/epilogue.wgsl

override OP: u32 = 0u;
override WG: u32 = 256u;
// 1: both operands are contiguous and the same shape (no index math); 2: rank <= 4, right-aligned in
// the first vec4 of each array (strided_offset4); 3: rank 2 on a 2-D grid; 0: any rank
override DIRECT: u32 = 0u;

@group(0) @binding(0) var<uniform> params: BroadcastParams;
@group(0) @binding(1) var<storage, read_write> a: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> b: array<elem_t>;
@group(0) @binding(3) var<storage, read_write> out: array<elem_t>;

// Codes follow BINARY_CODES in src/kernels/binary.ts.
fn binary_op(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: {
      // pow with a negative base is defined for integral exponents
      let m = pow(abs(x), y);
      let odd = (abs(y) % 2.0) == 1.0;
      return select(m, select(m, -m, odd), x < 0.0 && floor(y) == y);
    }
    case 5u: { return max(x, y); }
    case 6u: { return min(x, y); }
    case 7u: {
      // Mod (fmod=0): sign follows the divisor, as numpy.mod
      let r = x - y * floor(x / y);
      return r;
    }
    case 8u: { return x - y * trunc(x / y); }
    case 9u: { return select(x * y, x, x >= 0.0); }
    default: { return x; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  var i: u32;
  var x: f32;
  var y: f32;
  if (DIRECT == 3u) {
    // rank 2 on a 2-D grid (rows in y): per-channel broadcasts without any division
    let cols = params.shape[0].w;
    if (gid.x >= cols) {
      return;
    }
    i = gid.y * cols + gid.x;
    x = f32(a[gid.y * params.a_strides[0].z + gid.x * params.a_strides[0].w]);
    y = f32(b[gid.y * params.b_strides[0].z + gid.x * params.b_strides[0].w]);
  } else {
    i = linear_index(gid, nwg, WG);
    if (i >= params.count) {
      return;
    }
    if (DIRECT == 1u) {
      x = f32(a[i]);
      y = f32(b[i]);
    } else if (DIRECT == 2u) {
      x = f32(a[strided_offset4(i, params.shape[0], params.a_strides[0])]);
      y = f32(b[strided_offset4(i, params.shape[0], params.b_strides[0])]);
    } else {
      x = f32(a[strided_offset(i, params.rank, params.shape, params.a_strides)]);
      y = f32(b[strided_offset(i, params.rank, params.shape, params.b_strides)]);
    }
  }
  // channel for a per-channel bias is axis 1 of an NCHW-like output
  out[i] = elem_t(apply_epilogue(binary_op(x, y), 0u, i));
}
