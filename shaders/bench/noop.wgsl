// Adapter ceiling: per-dispatch overhead. One workgroup that writes one word, dispatched many times.

struct Params {
  value: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(1)
fn main() {
  out[0] = out[0] + params.value;
}
