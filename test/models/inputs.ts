// Inputs for the model parity tests: the generated text-like pages that `kestrel quantize --calibration pages`
// also uses (src/quant/text-pages.ts).
export { textLikeImage } from '../../src/quant/text-pages.js';
