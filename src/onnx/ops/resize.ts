// Resize and Upsample: resolve scales, output shape and coordinate modes into IR 'resize'.
import { normAxis } from '../../core/shape.js';
import { COORD_MODES, type CoordMode, type NearestMode, type ResizeAttrs } from '../../ir/graph.js';
import type { ImportContext } from '../context.js';
import type { Lowering } from './types.js';

function constFloats(c: ImportContext, i: number): number[] | undefined {
  const v = c.constInts(i, ['X', 'roi', 'scales', 'sizes'][i] ?? `input ${i}`);
  return v && v.length ? v : undefined;
}

function emitResize(
  c: ImportContext,
  x: string,
  partial: Partial<ResizeAttrs> & Pick<ResizeAttrs, 'scales' | 'outShape'>,
): void {
  const attrs: ResizeAttrs = {
    mode: 'nearest',
    coordMode: 'half_pixel',
    nearestMode: 'round_prefer_floor',
    cubicCoeffA: -0.75,
    excludeOutside: false,
    extrapolationValue: 0,
    roi: [],
    ...partial,
  };
  if (attrs.outShape.some((d) => !Number.isSafeInteger(d) || d < 0)) c.fail(`invalid output shape [${attrs.outShape}]`);
  if (attrs.scales.some((s) => !(s > 0) || !Number.isFinite(s)))
    c.fail(`scales must be positive, got [${attrs.scales}]`);
  c.emit('resize', attrs, [x], c.outputName());
}

function resize(c: ImportContext): void {
  const x = c.requireInput(0, 'X');
  const xs = c.shape(x);
  const r = xs.length;
  const mode = c.attrs.string('mode', 'nearest') as ResizeAttrs['mode'];
  if (!['nearest', 'linear', 'cubic'].includes(mode)) c.fail(`unknown mode '${mode}'`);
  if (c.opset < 11) {
    const scales = constFloats(c, 1);
    if (!scales || scales.length !== r) c.fail('scales must have one entry per dim');
    emitResize(c, x, {
      mode,
      scales,
      outShape: xs.map((d, i) => Math.floor(d * scales[i])),
      coordMode: 'asymmetric',
      nearestMode: 'floor',
    });
    return;
  }
  if (c.attrs.int('antialias', 0) !== 0) c.unsupported('antialias=1');
  const axesAttr = c.attrs.has('axes') ? c.attrs.ints('axes').map((a) => normAxis(a, r)) : [...Array(r).keys()];
  const expand = (v: number[], fill: number) => {
    const full = new Array<number>(r).fill(fill);
    axesAttr.forEach((a, i) => {
      full[a] = v[i];
    });
    return full;
  };
  const roiRaw = constFloats(c, 1);
  const scalesRaw = constFloats(c, 2);
  const sizesRaw = constFloats(c, 3);
  let scales: number[];
  let outShape: number[];
  if (sizesRaw) {
    if (sizesRaw.length !== axesAttr.length) c.fail(`sizes has ${sizesRaw.length} entries for ${axesAttr.length} axes`);
    const policy = c.attrs.string('keep_aspect_ratio_policy', 'stretch');
    const sizes = expand(sizesRaw, 0);
    if (policy === 'stretch') {
      outShape = xs.map((d, i) => (axesAttr.includes(i) ? sizes[i] : d));
      scales = outShape.map((o, i) => o / xs[i]);
    } else {
      const ratios = axesAttr.map((a) => sizes[a] / xs[a]);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      scales = xs.map((_, i) => (axesAttr.includes(i) ? s : 1));
      outShape = xs.map((d, i) => (axesAttr.includes(i) ? Math.round(d * s) : d));
    }
  } else if (scalesRaw) {
    if (scalesRaw.length !== axesAttr.length)
      c.fail(`scales has ${scalesRaw.length} entries for ${axesAttr.length} axes`);
    scales = expand(scalesRaw, 1);
    outShape = xs.map((d, i) => Math.floor(d * scales[i]));
  } else {
    c.fail('needs scales or sizes');
  }
  const coordMode = c.attrs.string('coordinate_transformation_mode', 'half_pixel') as CoordMode;
  if (!COORD_MODES.includes(coordMode)) c.fail(`unknown coordinate_transformation_mode '${coordMode}'`);
  const nearestMode = c.attrs.string('nearest_mode', 'round_prefer_floor') as NearestMode;
  if (!['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'].includes(nearestMode))
    c.fail(`unknown nearest_mode '${nearestMode}'`);
  let roi: number[] = [];
  if (coordMode === 'tf_crop_and_resize') {
    if (!roiRaw) c.fail('tf_crop_and_resize needs roi');
    roi =
      roiRaw.length === 2 * r
        ? roiRaw
        : [...expand(roiRaw.slice(0, axesAttr.length), 0), ...expand(roiRaw.slice(axesAttr.length), 1)];
  }
  emitResize(c, x, {
    mode,
    scales,
    outShape,
    coordMode,
    roi,
    nearestMode,
    cubicCoeffA: c.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: c.attrs.int('exclude_outside', 0) === 1,
    extrapolationValue: c.attrs.float('extrapolation_value', 0),
  });
}

function upsample(c: ImportContext): void {
  const x = c.requireInput(0, 'X');
  const xs = c.shape(x);
  const scales = c.opset < 9 ? c.attrs.floats('scales') : constFloats(c, 1);
  if (!scales || scales.length !== xs.length) c.fail('scales must have one entry per dim');
  let mode = c.attrs.string('mode', 'nearest');
  if (mode === 'bilinear') mode = 'linear';
  emitResize(c, x, {
    mode: mode as ResizeAttrs['mode'],
    scales,
    outShape: xs.map((d, i) => Math.floor(d * scales[i])),
    coordMode: 'asymmetric',
    nearestMode: 'floor',
  });
}

export const RESIZE: Record<string, Lowering> = { Resize: resize, Upsample: upsample };
