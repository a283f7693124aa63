// What the cast kernels (cast.wgsl, cast_half.wgsl) share: their overrides, the element-count uniform,
// the raw-word bindings, and ONNX's two's-complement wrap for uint8/int8 targets. Kinds are the kernel's.

override FROM: u32 = 0u;
override TO: u32 = 0u;
// The target is bool: store 0/1 rather than the numeric value.
override TO_BOOL: bool = false;
// Narrow integer targets wrap as two's complement: 0 none, 1 uint8, 2 int8.
override WRAP: u32 = 0u;
override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read_write> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

fn wrap_narrow(w: u32) -> u32 {
  if (WRAP == 1u) {
    return w & 0xffu;
  }
  if (WRAP == 2u) {
    return bitcast<u32>((bitcast<i32>(w << 24u)) >> 24u);
  }
  return w;
}
