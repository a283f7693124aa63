// Integer depthwise conv2d (qconv with one input and one output channel per group): each lane owns 4
// consecutive output pixels of one channel. Per kernel row it loads the input columns those pixels
// need for all KW taps once, then does plain i32 multiply-adds (a packed dot product would carry three
// zero lanes). Requantization as in qconv2d_dot4.wgsl.
// kestrel:prelude KW SW DW
// kestrel:example KW=3 SW=2 DW=1
// kestrel:requires lib/qconv.wgsl

override WG: u32 = 64u;

// input columns the lane's 4 pixels read per kernel row
const SEG = 3u * SW + (KW - 1u) * DW + 1u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let quads = (params.out_w + 3u) / 4u;
  if (gid.x >= params.pixels / params.out_w * quads) {
    return;
  }
  let ch = gid.y;
  let ow0 = (gid.x % quads) * 4u;
  let t = gid.x / quads;
  let oh = t % params.out_h;
  let n = t / params.out_h;
  let xc = n * params.x_n + ch * params.x_c;
  let iw0 = i32(ow0) * i32(SW) - params.pad_w;
  var acc = vec4<i32>(0);
  for (var ky = 0u; ky < params.kh; ky++) {
    let ih = i32(oh) * params.stride_h - params.pad_h + i32(ky) * params.dil_h;
    let row_ok = ih >= 0 && ih < params.in_h;
    let row = xc + select(0u, u32(ih) * params.x_h, row_ok);
    // padding reads the zero point; every value is shifted like the packed kernels (the bias undoes it)
    var win: array<i32, SEG>;
    for (var s = 0u; s < SEG; s++) {
      let iw = iw0 + i32(s);
      let inside = row_ok && iw >= 0 && iw < params.in_w;
      win[s] = select(params.x_zero, x[row + select(0u, u32(iw) * params.x_w, inside)], inside) - params.x_offset;
    }
    for (var kx = 0u; kx < KW; kx++) {
      // one channel per group: the tap's weight is byte 0 of its word
      let wv = extractBits(bitcast<i32>(w[ch * params.w_row + ky * KW + kx]), 0u, 8u);
      acc += vec4<i32>(win[kx * DW], win[SW + kx * DW], win[2u * SW + kx * DW], win[3u * SW + kx * DW]) * wv;
    }
  }
  let yb = n * params.y_n + oh * params.y_h;
  for (var j = 0u; j < min(4u, params.out_w - ow0); j++) {
    store(yb + (ow0 + j) * params.y_w, ch, acc[j]);
  }
}
