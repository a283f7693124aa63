// The implicit-GEMM conv core that conv2d_igemm.wgsl (plain) and conv2d_igemm_sg.wgsl (weights through subgroups)
// share: a lane's place in the output, its input segment per kernel row, the taps, and the store. The including
// kernel supplies the hook `tap(kx, k, win, acc, weights)` and the type `TapWeights` it takes (what tap needs to
// find its weights), and declares `params: ConvParams`, `x` and `out` (arrays of elem_t) and `override WG`.
// kestrel:prelude TM TN KW SW DW elem_t
// kestrel:requires lib/conv_params.wgsl lib/epilogue.wgsl

// input columns one lane reads per kernel row
const SEG = (TN - 1u) * SW + (KW - 1u) * DW + 1u;
// acc[r4 * TN + j]: output channels oc0 + 4*r4 .. +3 at pixel j
const ACC = TM / 4u * TN;

struct IgemmLane {
  n: u32,
  g: u32,
  oc0: u32,
  // the lane's index; one past params.lanes computes a clamped block and skips the store
  q: u32,
  oh: u32,
  ow0: u32,
}

fn igemm_lane(wid: vec3<u32>, lid: vec3<u32>) -> IgemmLane {
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  return IgemmLane(wid.z, wid.y / params.oc_blocks, (wid.y % params.oc_blocks) * TM, q, qc / params.ow_blocks,
      (qc % params.ow_blocks) * TN);
}

// acc += the lane's TM x TN block over K: per input channel and kernel row, the segment once, then KW taps.
fn igemm_accumulate(l: IgemmLane, w: TapWeights, acc: ptr<function, array<vec4<f32>, ACC>>) {
  let ih0 = i32(l.oh * params.stride_h) - params.pad_t;
  let iw0 = i32(l.ow0 * SW) - params.pad_l;
  let hw = params.h * params.w;
  let x_base = (l.n * params.cin + l.g * params.cin_g) * hw;
  // column validity does not change with channel or kernel row
  var col_ok: array<bool, SEG>;
  var col_at: array<u32, SEG>;
  for (var s = 0u; s < SEG; s++) {
    let col = iw0 + i32(s);
    col_ok[s] = col >= 0 && col < i32(params.w);
    col_at[s] = clamp_index(col, params.w);
  }
  var k = 0u;
  for (var c = 0u; c < params.cin_g; c++) {
    let x_chan = x_base + c * hw;
    for (var ky = 0u; ky < params.kh; ky++) {
      let ih = ih0 + i32(ky * params.dil_h);
      let row_ok = ih >= 0 && ih < i32(params.h);
      let x_row = x_chan + clamp_index(ih, params.h) * params.w;
      var win: array<f32, SEG>;
      for (var s = 0u; s < SEG; s++) {
        win[s] = select(0.0, f32(x[x_row + col_at[s]]), row_ok && col_ok[s]);
      }
      // taps written out (not a loop) so every index into win and acc is a constant even when
      // Mesa's unroller would give up on a loop body this large (KW <= 7)
      tap(0u, k, &win, acc, w);
      tap(1u, k, &win, acc, w);
      tap(2u, k, &win, acc, w);
      tap(3u, k, &win, acc, w);
      tap(4u, k, &win, acc, w);
      tap(5u, k, &win, acc, w);
      tap(6u, k, &win, acc, w);
      k += KW;
    }
  }
}

// The epilogue and store of the lane's block (lanes past the end store nothing).
fn igemm_store(l: IgemmLane, acc: ptr<function, array<vec4<f32>, ACC>>) {
  if (l.q >= params.lanes) {
    return;
  }
  // A data-dependent trip count discourages unrolling TM*TN copies of the epilogue (each a few
  // per-lane loads and a store on lavapipe); the loop reads a copy so acc itself stays in registers.
  var res = *acc;
  let rows = min(TM, params.cout_g - l.oc0);
  let plane = params.oh * params.ow;
  var idx = ((l.n * params.cout + l.g * params.cout_g + l.oc0) * params.oh + l.oh) * params.ow + l.ow0;
  for (var i = 0u; i < rows; i++) {
    let channel = l.g * params.cout_g + l.oc0 + i;
    for (var j = 0u; j < TN; j++) {
      if (l.ow0 + j < params.ow) {
        out[idx + j] = elem_t(apply_epilogue(res[(i / 4u) * TN + j][i % 4u], channel, idx + j));
      }
    }
    idx += plane;
  }
}
