// The infotainment page: frames in, sign text drawn over them, per-kernel latency, adapter and FPS. Each frame's
// det input is built on the GPU by kestrel.imageToTensor; only what is drawn (det map -> boxes, rec -> text) is read back.
// Everything runs through the built browser bundles: the engine (dist/kestrel.browser.mjs) and the OCR demo on top
// of it (dist/demo.browser.mjs, `kestrel-webgpu/demo`); nothing else is loaded.
import * as ocr from '/dist/demo.browser.mjs';
import * as kestrel from '/dist/kestrel.browser.mjs';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/** What tests and the console can see: the bundle, the latest results, and the first result as a promise. */
const demo = {
  kestrel,
  ocr,
  results: [],
  error: null,
  adapter: null,
  features: null,
  first: null,
};
let resolveFirst;
let rejectFirst;
demo.first = new Promise((res, rej) => {
  resolveFirst = res;
  rejectFirst = rej;
});
demo.first.catch(() => undefined);
window.kestrelDemo = demo;
window.kestrel = kestrel;
window.kestrelOcr = ocr;

const state = {
  ctx: null,
  manifest: null,
  truth: new Map(),
  pipeline: null,
  pipelineKey: '',
  frameIndex: 0,
  busy: false,
  fps: [],
};

function setStatus(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.className = `chip ${kind}`;
}

function fail(err) {
  const msg = err?.message ?? String(err);
  demo.error = msg;
  setStatus(`error: ${msg.split('\n')[0].slice(0, 120)}`, 'error');
  console.error(err);
  rejectFirst(new Error(msg));
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`fetching ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function decodeFrame(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`fetching ${url}: HTTP ${r.status}`);
  const bitmap = await createImageBitmap(await r.blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = canvas.getContext('2d');
  g.drawImage(bitmap, 0, 0);
  const data = g.getImageData(0, 0, bitmap.width, bitmap.height);
  return { bitmap, image: { width: data.width, height: data.height, data: data.data } };
}

async function ensurePipeline() {
  const model = $('model').value;
  const precision = $('precision').value;
  const maxSide = Number($('detSize').value);
  const key = `${model}/${precision}`;
  if (state.pipeline && state.pipelineKey === key) {
    state.pipeline.options.maxSide = maxSide;
    return state.pipeline;
  }
  setStatus(`loading ${precision} models`);
  const p = state.manifest.precisions[precision];
  const m = state.manifest.models.find((x) => x.id === model);
  const [det, rec, keys] = await Promise.all([
    fetchBytes(p.det),
    fetchBytes(p.rec),
    fetch(m.keys).then((r) => r.text()),
  ]);
  state.pipeline?.engine.release();
  state.pipeline = null;
  const engine = await ocr.KestrelEngine.create({ det, rec }, { context: state.ctx });
  state.pipeline = new ocr.OcrPipeline(engine, ocr.parseDictionary(keys), { maxSide });
  state.pipelineKey = key;
  return state.pipeline;
}

function drawView(bitmap, result) {
  const canvas = $('view');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const g = canvas.getContext('2d');
  g.drawImage(bitmap, 0, 0);
  g.lineWidth = 3;
  g.font = 'bold 18px system-ui, "DejaVu Sans", sans-serif';
  const boxes = result.lines.map((l) => {
    const xs = l.quad.map((p) => p.x);
    const ys = l.quad.map((p) => p.y);
    return {
      x: Math.min(...xs),
      y: Math.min(...ys),
      w: Math.max(...xs) - Math.min(...xs),
      h: Math.max(...ys) - Math.min(...ys),
    };
  });
  g.strokeStyle = '#2ee66b';
  for (const line of result.lines) {
    g.beginPath();
    line.quad.forEach((p, i) => (i ? g.lineTo(p.x, p.y) : g.moveTo(p.x, p.y)));
    g.closePath();
    g.stroke();
  }
  // labels go above, below, right or left of their box, wherever they cover no text box or earlier label
  const taken = [...boxes];
  const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  const inside = (r) => r.x >= 0 && r.y >= 0 && r.x + r.w <= canvas.width && r.y + r.h <= canvas.height;
  result.lines.forEach((line, i) => {
    const label = `${line.text}  ${(line.confidence * 100).toFixed(0)}%`;
    const w = g.measureText(label).width + 10;
    const h = 24;
    const b = boxes[i];
    const options = [
      { x: b.x, y: b.y - h - 3, w, h },
      { x: b.x, y: b.y + b.h + 3, w, h },
      { x: b.x + b.w + 4, y: b.y + (b.h - h) / 2, w, h },
      { x: b.x - w - 4, y: b.y + (b.h - h) / 2, w, h },
    ];
    const r =
      options.find((o) => inside(o) && !taken.some((t) => overlaps(o, t))) ?? options.find(inside) ?? options[0];
    taken.push(r);
    g.fillStyle = 'rgba(8, 12, 16, 0.8)';
    g.fillRect(r.x, r.y, w, h);
    g.fillStyle = '#2ee66b';
    g.fillText(label, r.x + 5, r.y + 18);
  });
  const signs = $('signs');
  signs.replaceChildren(
    ...result.lines.map((l) => {
      const li = document.createElement('li');
      li.textContent = l.text;
      const c = document.createElement('span');
      c.className = 'conf';
      c.textContent = `${(l.confidence * 100).toFixed(1)}%`;
      li.append(c);
      return li;
    }),
  );
  if (!result.lines.length) signs.innerHTML = '<li class="muted">no text</li>';
}

function drawBars(result) {
  const bars = $('bars');
  let rows;
  if (result.steps.length) {
    const s = ocr.summarizeSteps(result.steps, 12);
    rows = s.byKernel.slice(0, 12).map((k) => ({ name: `${k.kernel} ×${k.count}`, ms: k.gpuMs }));
    $('gpuTotal').textContent = `· ${s.totalGpuMs.toFixed(1)} ms GPU`;
  } else {
    // no timestamp queries on this adapter: show where the wall time went instead
    const t = result.timing;
    rows = [
      ['det', t.detMs],
      ['rec', t.recMs],
      ['preprocess', t.preMs],
      ['postprocess', t.postMs],
    ].map(([name, ms]) => ({ name, ms }));
    $('gpuTotal').textContent = '· no timestamp queries: wall time per stage';
  }
  const max = Math.max(...rows.map((r) => r.ms), 1e-6);
  bars.replaceChildren(
    ...rows.map((r) => {
      const row = document.createElement('div');
      row.className = 'bar';
      row.innerHTML =
        '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="val"></span>';
      row.querySelector('.name').textContent = r.name;
      row.querySelector('.name').title = r.name;
      row.querySelector('.fill').style.width = `${(100 * r.ms) / max}%`;
      row.querySelector('.val').textContent = `${r.ms < 100 ? r.ms.toFixed(2) : r.ms.toFixed(0)} ms`;
      return row;
    }),
  );
  const t = result.timing;
  $('timing').textContent =
    `wall ${t.wallMs.toFixed(0)} ms · det ${t.detMs.toFixed(0)} · rec ${t.recMs.toFixed(0)} · pre ${t.preMs.toFixed(0)} · post ${t.postMs.toFixed(0)}${t.compileMs > 1 ? ` · building plans ${t.compileMs.toFixed(0)} ms` : ''}`;
}

async function readCurrent() {
  if (state.busy) return;
  state.busy = true;
  try {
    const file = $('frame').value;
    const pipeline = await ensurePipeline();
    const { bitmap, image } = await decodeFrame(`/frames/${file}`);
    drawView(bitmap, { lines: [] });
    setStatus(`reading ${file}`);
    // det's input is made on the GPU from the decoded frame (resize + normalize + BGR in one shader): the page
    // reads back only the det map (the boxes it draws) and rec's logits (the text); the host pixels serve rec's crops
    const size = ocr.detInputSize(bitmap.width, bitmap.height, pipeline.options.maxSide);
    const preStart = performance.now();
    const detFeed = await kestrel.imageToTensor(state.ctx, bitmap, {
      width: size.width,
      height: size.height,
      mean: ocr.DET_MEAN,
      std: ocr.DET_STD,
      channels: 'bgr',
    });
    const detPreMs = performance.now() - preStart;
    let result;
    try {
      result = await pipeline.read(image, {
        profile: true,
        det: { feed: detFeed, scaleX: bitmap.width / size.width, scaleY: bitmap.height / size.height },
      });
    } finally {
      detFeed.destroy();
    }
    result.timing.preMs += detPreMs;
    result.timing.wallMs += detPreMs;
    const truth = state.truth.get(file);
    const score = truth ? ocr.scoreFrame(result.lines, truth) : null;
    drawView(bitmap, result);
    drawBars(result);
    const fps = 1000 / Math.max(1, result.timing.wallMs - result.timing.compileMs);
    state.fps.push(fps);
    if (state.fps.length > 8) state.fps.shift();
    $('fps').textContent = `${(state.fps.reduce((a, b) => a + b, 0) / state.fps.length).toFixed(2)} FPS`;
    const entry = {
      file,
      detInput: 'imageToTensor',
      detShape: result.detShape,
      precision: $('precision').value,
      lines: result.lines.map((l) => ({ text: l.text, confidence: l.confidence, quad: l.quad })),
      truth: truth?.map((l) => l.text) ?? null,
      exact: score ? score.exact : null,
      timing: result.timing,
      kernels: result.steps.length ? ocr.summarizeSteps(result.steps, 5).byKernel.slice(0, 5) : [],
    };
    demo.results.push(entry);
    if (demo.results.length > 50) demo.results.shift();
    setStatus(
      score
        ? score.exact
          ? `${file}: all signs read`
          : `${file}: ${score.lines.filter((l) => l.exact).length}/${score.lines.length} lines`
        : file,
      'ok',
    );
    resolveFirst(entry);
  } finally {
    state.busy = false;
  }
}

async function loop() {
  for (;;) {
    try {
      await readCurrent();
    } catch (e) {
      fail(e);
      return;
    }
    if (!$('loop').checked) return;
    const sel = $('frame');
    sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function option(value, text, disabled = false) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  o.disabled = disabled;
  return o;
}

async function main() {
  state.manifest = await (await fetch('/manifest.json')).json();
  const frames = state.manifest.frames ? await (await fetch(state.manifest.frames)).json() : { frames: [] };
  for (const f of frames.frames) state.truth.set(f.file, f.lines);
  $('frame').replaceChildren(...frames.frames.map((f) => option(f.file, f.file)));
  if (frames.frames.some((f) => f.file === params.get('frame'))) $('frame').value = params.get('frame');
  $('loop').checked = params.get('loop') === '1';
  $('model').replaceChildren(...state.manifest.models.map((m) => option(m.id, m.name)));
  $('precision').replaceChildren(
    ...Object.entries(state.manifest.precisions).map(([p, v]) =>
      option(p, v.available ? p : `${p} (not built)`, !v.available),
    ),
  );
  $('precision').value = params.get('precision') ?? state.manifest.defaultPrecision;
  if (params.get('detSize')) $('detSize').value = params.get('detSize');

  setStatus('requesting WebGPU adapter');
  state.ctx = await kestrel.createGpuContext();
  demo.adapter = kestrel.adapterName(state.ctx);
  demo.features = state.ctx.features;
  $('adapter').textContent = `${demo.adapter} · ${state.ctx.features.shaderF16 ? 'f16' : 'f32 path (no shader-f16)'}`;

  for (const id of ['frame', 'model', 'precision', 'detSize'])
    $(id).addEventListener('change', () => {
      if (!state.busy) loop();
    });
  $('loop').addEventListener('change', () => {
    if ($('loop').checked && !state.busy) loop();
  });
  await loop();
}

main().catch(fail);
