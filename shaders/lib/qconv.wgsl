// The integer conv/matmul kernels' uniform, bindings and requantizing store (see qconv2d_dot4.wgsl):
//   y = clamp(round((f32(acc + bias) * mult + shift) / y_div) + y_zero, qmin, qmax)   (round: half to even)

@group(0) @binding(0) var<uniform> params: QConvParams;
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
