// Linear / cubic resize of two axes of an elem_t (f32 or f16) tensor, computed in f32, viewed as [A, H, B, W, C] (NCHW:
// A=N*C, B=C=1;
// NHWC: C=channels), per the ONNX reference: separable taps on edge-clamped indices.
// kestrel:prelude elem_t
// kestrel:requires lib/indexing.wgsl lib/resize_coord.wgsl

// 0 linear (2 taps per axis), 1 cubic (4 taps)
override MODE: u32 = 0u;
override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Resize2dParams;
@group(0) @binding(1) var<storage, read_write> x: array<elem_t>;
@group(0) @binding(2) var<storage, read_write> y: array<elem_t>;

struct Taps {
  first: i32,
  w: vec4<f32>,
}

fn cubic_weights(r: f32, a: f32) -> vec4<f32> {
  let s = 1.0 - r;
  return vec4<f32>(
    ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a,
    ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0,
    ((a + 2.0) * s - (a + 3.0)) * s * s + 1.0,
    ((a * (s + 1.0) - 5.0 * a) * (s + 1.0) + 8.0 * a) * (s + 1.0) - 4.0 * a,
  );
}

// The taps of one axis: the first source index and up to four weights.
fn axis_taps(ax: ResizeAxis, o: u32) -> Taps {
  let t = interpolation_taps(ax, o);
  // an unchanged axis reads index o itself (exact where f32 is not)
  let same = ax.identity != 0u;
  let first = select(i32(o), i32(o) - 2, MODE == 1u);
  let w = select(vec4<f32>(1.0, 0.0, 0.0, 0.0), vec4<f32>(0.0, 0.0, 1.0, 0.0), MODE == 1u);
  return Taps(select(t.first, first, same), select(t.w, w, same));
}

fn interpolation_taps(ax: ResizeAxis, o: u32) -> Taps {
  var c = resize_source_coord(ax, o);
  let n = i32(ax.in_len);
  if (MODE == 0u) {
    // linear: clamping the coordinate equals the reference's edge padding
    c = clamp(c, 0.0, f32(n - 1));
    let f = floor(c);
    return Taps(i32(f), vec4<f32>(1.0 - (c - f), c - f, 0.0, 0.0));
  }
  // cubic: the ratio lies in (0, 1], so an integral coordinate takes its left neighbour's taps
  let fl = floor(c);
  let whole = c == fl;
  let f = select(fl, fl - 1.0, whole);
  let r = select(c - fl, 1.0, whole);
  let first = i32(f) - 1;
  var w = cubic_weights(r, params.cubic_a);
  if (params.exclude_outside != 0u) {
    let idx = vec4<i32>(first, first + 1, first + 2, first + 3);
    let inside = (idx >= vec4<i32>(0)) & (idx < vec4<i32>(n));
    w = select(vec4<f32>(0.0), w, inside);
    w = w / (w.x + w.y + w.z + w.w);
  }
  return Taps(first, w);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg, WG);
  if (i >= params.count) {
    return;
  }
  let ah = params.axes[0];
  let aw = params.axes[1];
  let c = i % params.inner;
  var t = i / params.inner;
  let ow = t % aw.out_len;
  t = t / aw.out_len;
  let b = t % params.mid;
  t = t / params.mid;
  let oh = t % ah.out_len;
  let a = t / ah.out_len;
  let th = axis_taps(ah, oh);
  let tw = axis_taps(aw, ow);
  let taps = select(2, 4, MODE == 1u);
  let ih = i32(ah.in_len);
  let iw = i32(aw.in_len);
  let row_stride = params.mid * aw.in_len * params.inner;
  let plane = (a * ah.in_len * params.mid + b) * aw.in_len * params.inner + c;
  var acc = 0.0;
  for (var j = 0; j < taps; j++) {
    let yy = u32(clamp(th.first + j, 0, ih - 1));
    var row = 0.0;
    for (var k = 0; k < taps; k++) {
      let xx = u32(clamp(tw.first + k, 0, iw - 1));
      row += tw.w[k] * f32(x[plane + yy * row_stride + xx * params.inner]);
    }
    acc += th.w[j] * row;
  }
  let out_h = ah.identity == 0u && resize_outside(ah, resize_source_coord(ah, oh));
  let out_w = aw.identity == 0u && resize_outside(aw, resize_source_coord(aw, ow));
  let outside = params.crop != 0u && (out_h || out_w);
  y[i] = elem_t(select(acc, params.extrapolation, outside));
}
