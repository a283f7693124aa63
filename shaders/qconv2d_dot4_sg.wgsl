// Integer conv2d / matmul (ungrouped), weights shared through subgroups: each lane owns 8 output
// channels x 4 consecutive output pixels of one row. On lavapipe every buffer load is a per-lane scalar
// loop, so loads are what cost: per kernel row and 4 input channels a lane loads the input columns
// its 4 pixels need for all KW taps once (SEG x 4 loads), and per tap loads one packed weight word,
// which subgroupBroadcast hands to the 8 lanes of its group (3x3 stride 1: 27 loads per 384
// multiply-adds, against 8 per 16 in qconv2d_dot4.wgsl). Subgroups narrower than 8 load each weight
// word themselves. Requantization as in qconv2d_dot4.wgsl.
// kestrel:prelude KW SW DW
// kestrel:example KW=3 SW=1 DW=1
// kestrel:enable subgroups
// kestrel:requires lib/qconv.wgsl

override WG: u32 = 64u;
// subgroups smaller than this load their own weights (tests raise it to exercise that path)
override MIN_SUBGROUP: u32 = 8u;

// dot4I8Packed on packed words, or unpacked i32 vec4 dot products: llvmpipe emulates dot4I8Packed, and
// the unpacked form ran the 3x3 96->24 @80x80 conv in 19 ms instead of 29 (bench it on real hardware)
override PACKED_DOT: bool = false;

// input columns the lane's 4 pixels read per kernel row
const SEG = 3u * SW + (KW - 1u) * DW + 1u;

// 4 input channels from c of one pixel, shifted into int8 range (padding reads the zero point)
fn channels4(base: u32, c: u32, inside: bool) -> vec4<i32> {
  var v = vec4<i32>(params.x_zero);
  if (inside) {
    let last = params.cg - 1u;
    v = vec4<i32>(x[base + min(c, last) * params.x_c], x[base + min(c + 1u, last) * params.x_c],
                  x[base + min(c + 2u, last) * params.x_c], x[base + min(c + 3u, last) * params.x_c]);
    // channels past cg meet zero weights; clamping only keeps their loads in bounds
  }
  return v - vec4<i32>(params.x_offset);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let quads = (params.out_w + 3u) / 4u;
  let lanes = params.pixels / params.out_w * quads;
  // out-of-range lanes compute a clamped block (they must take part in the broadcasts) and skip the store
  let q = min(gid.x, lanes - 1u);
  let ow0 = (q % quads) * 4u;
  let t = q / quads;
  let oh = t % params.out_h;
  let n = t / params.out_h;
  let oc0 = wid.y * 8u;
  let xn = n * params.x_n;
  let my_row = min(oc0 + sg_lane % 8u, params.out_c - 1u) * params.w_row;
  let broadcast = sg_size >= max(MIN_SUBGROUP, 8u);
  var acc: array<vec4<i32>, 8>;
  let iw0 = i32(ow0) * i32(SW) - params.pad_w;
  for (var ky = 0u; ky < params.kh; ky++) {
    let ih = i32(oh) * params.stride_h - params.pad_h + i32(ky) * params.dil_h;
    let row_ok = ih >= 0 && ih < params.in_h;
    let row = xn + select(0u, u32(ih) * params.x_h, row_ok);
    for (var c4 = 0u; c4 < params.c4; c4++) {
      let c = c4 * 4u;
      var win: array<vec4<i32>, SEG>;
      for (var s = 0u; s < SEG; s++) {
        let iw = iw0 + i32(s);
        let inside = row_ok && iw >= 0 && iw < params.in_w;
        win[s] = channels4(row + select(0u, u32(iw) * params.x_w, inside), c, inside);
      }
      for (var kx = 0u; kx < KW; kx++) {
        let x0 = win[kx * DW];
        let x1 = win[SW + kx * DW];
        let x2 = win[2u * SW + kx * DW];
        let x3 = win[3u * SW + kx * DW];
        let k = (ky * KW + kx) * params.c4 + c4;
        let mine = w[my_row + k];
        var ws: array<u32, 8>;
        if (broadcast) {
          ws = array<u32, 8>(subgroupBroadcast(mine, 0u), subgroupBroadcast(mine, 1u), subgroupBroadcast(mine, 2u),
                             subgroupBroadcast(mine, 3u), subgroupBroadcast(mine, 4u), subgroupBroadcast(mine, 5u),
                             subgroupBroadcast(mine, 6u), subgroupBroadcast(mine, 7u));
        } else {
          for (var r = 0u; r < 8u; r++) {
            ws[r] = w[min(oc0 + r, params.out_c - 1u) * params.w_row + k];
          }
        }
        if (PACKED_DOT) {
          let p0 = pack4xI8(x0);
          let p1 = pack4xI8(x1);
          let p2 = pack4xI8(x2);
          let p3 = pack4xI8(x3);
          for (var r = 0u; r < 8u; r++) {
            let wr = ws[r];
            acc[r] += vec4<i32>(dot4I8Packed(p0, wr), dot4I8Packed(p1, wr), dot4I8Packed(p2, wr), dot4I8Packed(p3, wr));
          }
        } else {
          for (var r = 0u; r < 8u; r++) {
            let wr = unpack4xI8(ws[r]);
            acc[r] += vec4<i32>(dot(x0, wr), dot(x1, wr), dot(x2, wr), dot(x3, wr));
          }
        }
      }
    }
  }
  if (gid.x >= lanes) {
    return;
  }
  let yb = n * params.y_n + oh * params.y_h;
  let pixels = min(4u, params.out_w - ow0);
  for (var r = 0u; r < min(8u, params.out_c - oc0); r++) {
    let a = acc[r];
    for (var j = 0u; j < pixels; j++) {
      store(yb + (ow0 + j) * params.y_w, oc0 + r, a[j]);
    }
  }
}
