// An image (any float-sampled texture: rgba8unorm holds byte/255) to a normalized NCHW tensor of elem_t:
// bilinear resize with half-pixel centers (ONNX Resize linear, coordinate_transformation_mode=half_pixel, source
// coordinates clamped to the edge; OpenCV INTER_LINEAR; no antialiasing when shrinking), then (v - mean) / std.
// kestrel:prelude elem_t

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

struct Params {
  dst_w: u32,
  dst_h: u32,
  // nonzero: output channels are b, g, r (OpenCV / PaddleOCR order)
  bgr: u32,
  _pad0: u32,
  // source size / destination size, per axis
  scale: vec2<f32>,
  _pad1: vec2<f32>,
  mean: vec4<f32>,
  stddev: vec4<f32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> y: array<elem_t>;
@group(0) @binding(2) var src: texture_2d<f32>;

struct Axis {
  i0: i32,
  i1: i32,
  f: f32,
}

fn axis(dst: u32, scale: f32, len: u32) -> Axis {
  let s = clamp((f32(dst) + 0.5) * scale - 0.5, 0.0, f32(len - 1u));
  let i0 = i32(floor(s));
  return Axis(i0, min(i0 + 1, i32(len) - 1), s - f32(i0));
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let x = gid.x;
  let yy = gid.y;
  if (x >= params.dst_w || yy >= params.dst_h) {
    return;
  }
  let size = textureDimensions(src);
  let ax = axis(x, params.scale.x, size.x);
  let ay = axis(yy, params.scale.y, size.y);
  let p00 = textureLoad(src, vec2<i32>(ax.i0, ay.i0), 0);
  let p01 = textureLoad(src, vec2<i32>(ax.i1, ay.i0), 0);
  let p10 = textureLoad(src, vec2<i32>(ax.i0, ay.i1), 0);
  let p11 = textureLoad(src, vec2<i32>(ax.i1, ay.i1), 0);
  let top = p00 + (p01 - p00) * ax.f;
  let bottom = p10 + (p11 - p10) * ax.f;
  var v = top + (bottom - top) * ay.f;
  if (params.bgr != 0u) {
    v = v.bgra;
  }
  let n = (v - params.mean) / params.stddev;
  let plane = params.dst_w * params.dst_h;
  let o = yy * params.dst_w + x;
  y[o] = elem_t(n.x);
  y[plane + o] = elem_t(n.y);
  y[2u * plane + o] = elem_t(n.z);
}
