// The body of image_to_tensor*.wgsl: bilinear resize with half-pixel centers (ONNX Resize linear,
// coordinate_transformation_mode=half_pixel, source coordinates clamped to [0, len - 1]; OpenCV INTER_LINEAR; no
// antialiasing when shrinking), then (v - mean) / stddev per channel, written as NCHW elem_t. The including kernel
// defines the source: source_size() and load_px(p), which returns the texel as 0..1 floats (rgba8unorm: byte / 255).
// kestrel:prelude elem_t

override WG_X: u32 = 8u;
override WG_Y: u32 = 8u;

@group(0) @binding(0) var<uniform> params: ImageToTensorParams;
@group(0) @binding(1) var<storage, read_write> y: array<elem_t>;

struct Axis {
  i0: i32,
  i1: i32,
  f: f32,
}

fn axis(dst: u32, dst_len: u32, len: u32) -> Axis {
  let s = clamp((f32(dst) + 0.5) * f32(len) / f32(dst_len) - 0.5, 0.0, f32(len - 1u));
  let i0 = i32(floor(s));
  return Axis(i0, min(i0 + 1, i32(len) - 1), s - f32(i0));
}

fn image_to_tensor(x: u32, yy: u32) {
  if (x >= params.dst_w || yy >= params.dst_h) {
    return;
  }
  let size = source_size();
  let ax = axis(x, params.dst_w, size.x);
  let ay = axis(yy, params.dst_h, size.y);
  let p00 = load_px(vec2<i32>(ax.i0, ay.i0));
  let p01 = load_px(vec2<i32>(ax.i1, ay.i0));
  let p10 = load_px(vec2<i32>(ax.i0, ay.i1));
  let p11 = load_px(vec2<i32>(ax.i1, ay.i1));
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
