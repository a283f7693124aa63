// The public API: what both bundles (dist/kestrel.node.mjs, dist/kestrel.browser.mjs) export.
export * from './core/errors.js';
export * from './core/tensor.js';
export * from './runtime/device.js';
