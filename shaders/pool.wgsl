// 2-D max / average pooling on NCHW elem_t (f32 or f16; math in f32), one output per invocation. Max ignores padding;
// average divides
// by the valid cells, or with count_include_pad by the cells inside the padded input (never past it).
// kestrel:requires lib/indexing.wgsl
// kestrel:prelude elem_t

// 0 max, 1 average
override KIND: u32 = 0u;
override WG: u32 = 256u;
// Window size as constants (0: read it from params): lavapipe runs loops with constant trip counts ~2x faster.
override KH: u32 = 0u;
override KW: u32 = 0u;

@group(0) @binding(0) var<uniform> params: PoolParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  let ox = i % params.out_w;
  let t = i / params.out_w;
  let oy = t % params.out_h;
  let plane = t / params.out_h;
  let base = plane * params.in_h * params.in_w;
  let y0 = i32(oy * params.stride_h) - i32(params.pad_top);
  let x0 = i32(ox * params.stride_w) - i32(params.pad_left);
  let h = i32(params.in_h);
  let w = i32(params.in_w);
  // lowest finite f32, as ONNX Runtime: a window wholly in padding yields it rather than -inf
  let kernel_h = select(params.kernel_h, KH, KH != 0u);
  let kernel_w = select(params.kernel_w, KW, KW != 0u);
  var best = -3.402823466e+38;
  var sum = 0.0;
  var valid = 0u;
  var padded = 0u;
  for (var ky = 0u; ky < kernel_h; ky++) {
    let iy = y0 + i32(ky * params.dilation_h);
    let row_in = iy >= 0 && iy < h;
    let row_padded = iy < i32(params.padded_h);
    for (var kx = 0u; kx < kernel_w; kx++) {
      let ix = x0 + i32(kx * params.dilation_w);
      if (row_padded && ix < i32(params.padded_w)) {
        padded += 1u;
      }
      if (row_in && ix >= 0 && ix < w) {
        let v = f32(x[base + u32(iy * w + ix)]);
        if (KIND == 0u) {
          best = max(best, v);
        } else {
          sum += v;
        }
        valid += 1u;
      }
    }
  }
  if (KIND == 0u) {
    y[i] = elem_t(best);
  } else {
    let n = select(valid, padded, params.count_include_pad != 0u);
    y[i] = elem_t(select(0.0, sum / f32(n), n > 0u));
  }
}
