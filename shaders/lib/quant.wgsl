// Reading quantized integers: runtime values are i32 words; constants may be packed
// (mode 1: int8, 2: uint8 — four per u32; 3: int4, 4: uint4 — eight per u32, low nibble first).

fn packed_word_index(i: u32, mode: u32) -> u32 {
  switch mode {
    case 1u, 2u: { return i >> 2u; }
    case 3u, 4u: { return i >> 3u; }
    default: { return i; }
  }
}

// Element i from the u32 word that holds it (see packed_word_index).
fn unpack_int(word: u32, i: u32, mode: u32) -> i32 {
  switch mode {
    case 1u: { return extractBits(i32(word), (i & 3u) * 8u, 8u); }
    case 2u: { return i32(extractBits(word, (i & 3u) * 8u, 8u)); }
    case 3u: { return extractBits(i32(word), (i & 7u) * 4u, 4u); }
    case 4u: { return i32(extractBits(word, (i & 7u) * 4u, 4u)); }
    default: { return bitcast<i32>(word); }
  }
}

fn quant_param_index(i: u32, q: QuantIndex) -> u32 {
  let inner = i % q.inner;
  let a = (i / q.inner) % q.axis_dim;
  let outer = i / (q.inner * q.axis_dim);
  return outer * q.stride_outer + (a / q.block) * q.stride_axis + inner * q.stride_inner;
}
