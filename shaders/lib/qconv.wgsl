// The integer conv/matmul kernels' uniform, bindings and requantizing store (see qconv2d_dot4.wgsl):
//   y = clamp(round((f32(acc + bias) * mult + shift) / y_div) + y_zero, qmin, qmax)   (round: half to even)

struct Params {
  pixels: u32,
  out_w: u32,
  out_h: u32,
  out_c: u32,
  in_h: i32,
  in_w: i32,
  cg: u32,
  c4: u32,
  kh: u32,
  kw: u32,
  oc_per_group: u32,
  w_row: u32,
  stride_h: i32,
  stride_w: i32,
  pad_h: i32,
  pad_w: i32,
  dil_h: i32,
  dil_w: i32,
  x_zero: i32,
  x_offset: i32,
  x_n: u32,
  x_c: u32,
  x_h: u32,
  x_w: u32,
  y_n: u32,
  y_c: u32,
  y_h: u32,
  y_w: u32,
  y_zero: i32,
  qmin: i32,
  qmax: i32,
  y_div: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> x: array<i32>;
@group(0) @binding(2) var<storage, read_write> w: array<u32>;
@group(0) @binding(3) var<storage, read_write> bias: array<i32>;
@group(0) @binding(4) var<storage, read_write> requant: array<f32>;
@group(0) @binding(5) var<storage, read_write> y: array<i32>;

fn store(yb: u32, oc: u32, acc: i32) {
  let v = (f32(acc + bias[oc]) * requant[oc] + requant[params.out_c + oc]) / params.y_div;
  let q = clamp(round(v) + f32(params.y_zero), f32(params.qmin), f32(params.qmax));
  y[yb + oc * params.y_c] = i32(q);
}
