// Adapter ceiling: per-dispatch overhead. One workgroup that writes one word, dispatched many times.

@group(0) @binding(0) var<uniform> params: NoopParams;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(1)
fn main() {
  out[0] = out[0] + params.value;
}
