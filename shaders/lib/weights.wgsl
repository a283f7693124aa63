// The weights of a conv, read as 32-bit words so one kernel text serves f32, f16 and int8 weights. int8
// weights stay packed four per word (dequantize folding): w_at returns the integer itself, and the
// per-output-channel scale multiplies the finished sum in the epilogue (EP_SCALE), where it costs one
// multiply per output instead of one per weight.
// kestrel:prelude W_FORMAT

@group(0) @binding(2) var<storage, read_write> wt: array<u32>;

// W_FORMAT: 0 f32, 1 f16 (two per word), 2 int8 (four per word, sign-extended)
fn w_at(i: u32) -> f32 {
  switch W_FORMAT {
    case 1u: { return unpack2x16float(wt[i >> 1u])[i & 1u]; }
    case 2u: { return f32((bitcast<i32>(wt[i >> 2u]) << (24u - 8u * (i & 3u))) >> 24u); }
    default: { return bitcast<f32>(wt[i]); }
  }
}
