// Offsets of row-major indices over up to 4 dims held in vec4s (outermost first, padded at the front with
// size 1 and stride 0). Written out instead of looping over the arrays of lib/indexing.wgsl: lavapipe
// copies a uniform array to the stack whenever a loop variable indexes it.

fn coords4(i: u32, shape: vec4<u32>) -> vec4<u32> {
  return vec4<u32>(i / (shape.y * shape.z * shape.w), (i / (shape.z * shape.w)) % shape.y, (i / shape.w) % shape.z,
      i % shape.w);
}

fn offset4(i: u32, shape: vec4<u32>, strides: vec4<u32>) -> u32 {
  return dot(coords4(i, shape), strides);
}
