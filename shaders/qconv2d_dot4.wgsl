// Integer conv2d / matmul (IR qconv, qmatmul): int8/uint8 activations (one i32 word each) times int8
// weights packed 4 per u32 along K, i32 accumulation with dot4I8Packed, requantized to int8/uint8:
//   y = clamp(round((f32(acc + bias) * mult + shift) / y_div) + y_zero, qmin, qmax)   (round: half to even)
// y_div = 1 is onnxruntime's QLinearConv arithmetic; y_div = y_scale replays a float conv + QuantizeLinear.
// A matmul is a 1x1 conv over one image row of M pixels (strides in the uniform say where things are).
// Activations are shifted by x_offset (128 for uint8) to fit int8; the bias carries the correction.
// kestrel:requires lib/qconv.wgsl

override WG: u32 = 64u;
// Output channels per invocation: 4 share each packed activation word; 1 for groups narrower than 4.
override OCT: u32 = 4u;

// Padding taps and the channels that round K up to a multiple of 4 read the zero point (weight 0 there).
fn load_x(base: u32, c: u32, inside: bool) -> i32 {
  if (!inside || c >= params.cg) {
    return params.x_zero;
  }
  return x[base + c * params.x_c];
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  if (p >= params.pixels) {
    return;
  }
  let oc0 = gid.y * OCT;
  let ow = p % params.out_w;
  let t = p / params.out_w;
  let oh = t % params.out_h;
  let n = t / params.out_h;
  let g = oc0 / params.oc_per_group;
  let xg = n * params.x_n + g * params.cg * params.x_c;
  // rows past out_c read the last row's weights; their results are not stored
  let rows = min(vec4<u32>(oc0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(params.out_c - 1u)) * params.w_row;
  let off = vec4<i32>(params.x_offset);
  var acc = vec4<i32>(0);
  for (var ky = 0u; ky < params.kh; ky++) {
    let ih = i32(oh) * params.stride_h - params.pad_h + i32(ky) * params.dil_h;
    for (var kx = 0u; kx < params.kw; kx++) {
      let iw = i32(ow) * params.stride_w - params.pad_w + i32(kx) * params.dil_w;
      let inside = ih >= 0 && ih < params.in_h && iw >= 0 && iw < params.in_w;
      let base = xg + select(0u, u32(ih) * params.x_h + u32(iw) * params.x_w, inside);
      let tap = (ky * params.kw + kx) * params.c4;
      for (var c4 = 0u; c4 < params.c4; c4++) {
        let c = c4 * 4u;
        let xv = vec4<i32>(load_x(base, c, inside), load_x(base, c + 1u, inside), load_x(base, c + 2u, inside),
            load_x(base, c + 3u, inside));
        let xp = pack4xI8(xv - off);
        let k = tap + c4;
        if (OCT == 4u) {
          acc += vec4<i32>(dot4I8Packed(xp, w[rows.x + k]), dot4I8Packed(xp, w[rows.y + k]), dot4I8Packed(xp,
              w[rows.z + k]), dot4I8Packed(xp, w[rows.w + k]));
        } else {
          acc.x += dot4I8Packed(xp, w[rows.x + k]);
        }
      }
    }
  }
  let yb = n * params.y_n + oh * params.y_h + ow * params.y_w;
  store(yb, oc0, acc.x);
  if (OCT == 4u) {
    if (oc0 + 1u < params.out_c) {
      store(yb, oc0 + 1u, acc.y);
    }
    if (oc0 + 2u < params.out_c) {
      store(yb, oc0 + 2u, acc.z);
    }
    if (oc0 + 3u < params.out_c) {
      store(yb, oc0 + 3u, acc.w);
    }
  }
}
