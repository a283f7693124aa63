// A video frame (importExternalTexture of a VideoFrame or HTMLVideoElement, converted to sRGB by the browser) to a
// normalized NCHW tensor; see lib/image_to_tensor.wgsl for the exact sampling.
// kestrel:requires lib/image_to_tensor.wgsl

@group(0) @binding(2) var src: texture_external;

fn source_size() -> vec2<u32> {
  return textureDimensions(src);
}

fn load_px(p: vec2<i32>) -> vec4<f32> {
  return textureLoad(src, p);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  image_to_tensor(gid.x, gid.y);
}
