// Runs in the Chromium page that `npm run compare -- --browser` drives: loads Kestrel's browser bundle or ONNX
// Runtime Web (latest, WebGPU EP) on the model the server hands out, times one inference (input uploaded, every
// output read back), and compares the two engines' outputs. All files come from the local server.

/** Which engine asked for which adapter: both call navigator.gpu.requestAdapter themselves. */
const adapters = { kestrel: [], 'ort-web': [] };
let asking = null;
const requestAdapter = navigator.gpu.requestAdapter.bind(navigator.gpu);
navigator.gpu.requestAdapter = async (opts) => {
  const a = await requestAdapter(opts);
  if (a && asking) {
    const i = a.info ?? {};
    adapters[asking].push([i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unnamed');
  }
  return a;
};

const loaded = new Map();
const key = (engine, model) => `${engine}/${model}`;

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function kestrel(bytes, name, shape, input) {
  const k = await import('/kestrel/kestrel.browser.mjs');
  const t0 = performance.now();
  const context = await k.createGpuContext();
  const model = await k.loadModel(bytes);
  const session = await k.Session.create(model, { shapes: { [name]: shape }, context });
  const t1 = performance.now();
  const run = async () => {
    const out = await session.run({ [name]: k.hostTensor('f32', shape, input) });
    return Object.fromEntries(Object.entries(out).map(([n, t]) => [n, Float32Array.from(t.data)]));
  };
  return { t0, t1, run, release: () => (session.release(), context.destroy()) };
}

async function ortWeb(bytes, name, shape, input) {
  const ort = await import('/ort/ort.webgpu.bundle.min.mjs');
  ort.env.wasm.wasmPaths = '/ort/';
  // as in the Node comparison: one wasm thread (no cross-origin isolation here, and only 2 cores to share)
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
  const t1 = performance.now();
  const run = async () => {
    const out = await session.run({ [name]: new ort.Tensor('float32', input, shape) });
    const res = {};
    for (const n of Object.keys(out)) res[n] = Float32Array.from(await out[n].getData());
    return res;
  };
  return { t0, t1, run, release: () => session.release() };
}

/** Session creation + first inference with outputs read back, from model bytes in hand; the engine stays loaded. */
window.loadEngine = async (engine, model, name, shape) => {
  const bytes = await fetchBytes(`/model/${model}.onnx`);
  const input = new Float32Array((await fetchBytes(`/input/${model}.bin`)).buffer);
  asking = engine;
  try {
    const e = await (engine === 'kestrel' ? kestrel : ortWeb)(bytes, name, shape, input);
    const first = await e.run();
    const t2 = performance.now();
    loaded.set(key(engine, model), { ...e, first });
    return { coldMs: t2 - e.t0, createMs: e.t1 - e.t0, firstRunMs: t2 - e.t1, adapters: adapters[engine] };
  } finally {
    asking = null;
  }
};

/** One warm inference: input uploaded, run, every output read back; wall ms. */
window.runOnce = async (engine, model) => {
  const e = loaded.get(key(engine, model));
  const t = performance.now();
  await e.run();
  return performance.now() - t;
};

/** Largest |Kestrel - ORT-web| over each output of the first run (names and sizes must match). */
window.compareOutputs = (model) => {
  const a = loaded.get(key('kestrel', model)).first;
  const b = loaded.get(key('ort-web', model)).first;
  const out = {};
  for (const n of Object.keys(b)) {
    if (!a[n]) throw new Error(`Kestrel has no output '${n}' (it has ${Object.keys(a).join(', ')})`);
    if (a[n].length !== b[n].length) throw new Error(`output '${n}': ${a[n].length} vs ${b[n].length} elements`);
    let max = 0;
    let nonFinite = 0;
    for (let i = 0; i < b[n].length; i++) {
      const d = Math.abs(a[n][i] - b[n][i]);
      if (Number.isFinite(d)) max = Math.max(max, d);
      else nonFinite++;
    }
    out[n] = { maxAbsDiff: max, nonFinite, elements: b[n].length };
  }
  return out;
};

window.release = async (engine, model) => {
  const e = loaded.get(key(engine, model));
  loaded.delete(key(engine, model));
  await e?.release();
};
