// The phase-split gather that conv_transpose2d.wgsl (plain) and conv_transpose2d_sg.wgsl (weights through
// subgroups) share: a lane's place (one phase row, TM output channels x TN phase columns), the loop over the taps
// that reach its phase, and the store. The including kernel supplies the hook `tap(w_tap, xv, acc, weights)` and
// the type `TapWeights` it takes, and declares `params: ConvParams`, `x` and `out` (arrays of elem_t) and
// `override WG`. TM is a multiple of 4.
// kestrel:prelude TM TN elem_t
// kestrel:requires lib/conv_params.wgsl lib/conv_transpose_taps.wgsl lib/epilogue.wgsl

// acc[r4 * TN + j]: output channels oc0 + 4*r4 .. +3 at phase column pcol0 + j
const ACC = TM / 4u * TN;

// What a workgroup shares (its taps branch on the phase, so it must stay apart from the per-lane values for WGSL's
// uniformity analysis, which treats a struct as one value).
struct PhaseBlock {
  n: u32,
  // the output phase (oh mod stride_h, ow mod stride_w)
  ph: u32,
  pw: u32,
  g: u32,
  oc0: u32,
}

fn phase_block(wid: vec3<u32>) -> PhaseBlock {
  let phases = params.stride_h * params.stride_w;
  let phase = wid.z % phases;
  return PhaseBlock(wid.z / phases, phase / params.phases_w, phase % params.phases_w, wid.y / params.oc_blocks,
      (wid.y % params.oc_blocks) * TM);
}

struct PhaseLane {
  // the lane's index; one past params.lanes computes a clamped block and skips the store
  q: u32,
  prow: u32,
  pcol0: u32,
  oh: u32,
}

fn phase_lane(b: PhaseBlock, wid: vec3<u32>, lid: vec3<u32>) -> PhaseLane {
  let q = wid.x * WG + lid.x;
  let qc = min(q, params.lanes - 1u);
  let prow = qc / params.ow_blocks;
  return PhaseLane(q, prow, (qc % params.ow_blocks) * TN, b.ph + prow * params.stride_h);
}

// acc += every contributing tap: per input channel and tap that reaches the phase, TN inputs, then the hook.
fn phase_accumulate(b: PhaseBlock, l: PhaseLane, w: TapWeights, acc: ptr<function, array<vec4<f32>, ACC>>) {
  let hw = params.h * params.w;
  let taps = params.kh * params.kw;
  for (var c = 0u; c < params.cin_g; c++) {
    let cin = b.g * params.cin_g + c;
    let x_chan = (b.n * params.cin + cin) * hw;
    let w_chan = cin * params.cout_g * taps;
    for (var ky = 0u; ky < params.kh; ky++) {
      let dy = tap_offset(b.ph, params.pad_t, ky, params.dil_h, params.stride_h, params.kh);
      if (dy == NO_TAP) {
        continue;
      }
      let ih = i32(l.prow) + dy;
      let row_ok = ih >= 0 && ih < i32(params.h);
      let x_row = x_chan + clamp_index(ih, params.h) * params.w;
      for (var kx = 0u; kx < params.kw; kx++) {
        let dx = tap_offset(b.pw, params.pad_l, kx, params.dil_w, params.stride_w, params.kw);
        if (dx == NO_TAP) {
          continue;
        }
        var xv: array<f32, TN>;
        for (var j = 0u; j < TN; j++) {
          let iw = i32(l.pcol0 + j) + dx;
          xv[j] = select(0.0, f32(x[x_row + clamp_index(iw, params.w)]), row_ok && iw >= 0 && iw < i32(params.w));
        }
        tap(w_chan + ky * params.kw + kx, &xv, acc, w);
      }
    }
  }
}

// The epilogue and store of the lane's block (lanes past the end store nothing).
fn phase_store(b: PhaseBlock, l: PhaseLane, acc: ptr<function, array<vec4<f32>, ACC>>) {
  if (l.q >= params.lanes || l.oh >= params.oh) {
    return;
  }
  // a data-dependent trip count discourages unrolling TM*TN copies of the epilogue; it reads a copy
  // so acc itself stays in registers
  var res = *acc;
  let rows = min(TM, params.cout_g - b.oc0);
  for (var i = 0u; i < rows; i++) {
    let channel = b.g * params.cout_g + b.oc0 + i;
    let row = ((b.n * params.cout + channel) * params.oh + l.oh) * params.ow;
    for (var j = 0u; j < TN; j++) {
      let ow = b.pw + (l.pcol0 + j) * params.stride_w;
      if (ow < params.ow) {
        out[row + ow] = elem_t(apply_epilogue(res[(i / 4u) * TN + j][i % 4u], channel, row + ow));
      }
    }
  }
}
