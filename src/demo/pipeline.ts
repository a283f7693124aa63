// The whole reader: frame -> det -> boxes -> crops -> rec -> text lines, on any OcrEngine.
import { type DbOptions, type TextBox, boxesFromProbMap, preprocessDet } from './det.js';
import type { GpuFeed } from '../index.js';
import type { InferResult, OcrEngine, StepTime } from './engine.js';
import type { Quad } from './geometry.js';
import type { RgbaImage } from './image.js';
import { sortBoxes } from './det.js';
import { groupWords } from './lines.js';
import { type Decoded, type RecBatch, batchRecInputs, ctcGreedyDecode, cropQuad, preprocessRec } from './rec.js';

export interface OcrLine {
  quad: Quad;
  text: string;
  /** Recognizer confidence: mean probability of the emitted characters. */
  confidence: number;
  /** Detector score: mean text probability inside the box. */
  detScore: number;
}

export interface OcrTiming {
  /** Host work before the networks: det resize/normalize, crops and rec batches. */
  preMs: number;
  /** Host work after them: DBNet boxes, CTC decoding, line formation. */
  postMs: number;
  /** Engine calls (upload + run + readback), summed over det and every rec call. */
  detMs: number;
  recMs: number;
  /** Recognizer runs this frame (one per width bucket when batched). */
  recRuns: number;
  /** Plans built for new input shapes during this frame (first frame, new crop widths). */
  compileMs: number;
  /** Everything, wall clock. */
  wallMs: number;
  /** Sum of GPU time over every engine call, when profiled. */
  gpuMs?: number;
}

export interface OcrResult {
  lines: OcrLine[];
  /** Detector input shape (NCHW). */
  detShape: number[];
  timing: OcrTiming;
  /** Per-step GPU times of every engine call of this frame (profiling only). */
  steps: StepTime[];
}

export interface PipelineOptions {
  /** The longer side of the detector input (default 960). */
  maxSide?: number;
  db?: Partial<DbOptions>;
  /** Lines whose recognizer confidence is below this are dropped (PaddleOCR: 0.5). */
  dropScore?: number;
  /** Join words found as separate boxes on one text line (default true). */
  groupWords?: boolean;
  /** Recognize every line of a frame in one run per width bucket (default true); false runs one line at a time. */
  batchRec?: boolean;
  /** Lines per recognizer run when batching (default REC_MAX_BATCH). */
  maxBatch?: number;
  profile?: boolean;
}

/** The detector input already on the GPU (imageToTensor of the frame at detInputSize, DET_MEAN/DET_STD, BGR). */
export interface GpuDetInput {
  feed: GpuFeed;
  /** Detector-map pixels -> original image pixels. */
  scaleX: number;
  scaleY: number;
}

export class OcrPipeline {
  constructor(
    readonly engine: OcrEngine,
    readonly alphabet: readonly string[],
    readonly options: PipelineOptions = {},
  ) {}

  /** `opts.det`: skip the host det preprocessing and feed this GPU tensor (WebGPU engines only). */
  async read(img: RgbaImage, opts: { profile?: boolean; det?: GpuDetInput } = {}): Promise<OcrResult> {
    const profile = opts.profile ?? this.options.profile ?? false;
    const steps: StepTime[] = [];
    const timing: OcrTiming = {
      preMs: 0,
      postMs: 0,
      detMs: 0,
      recMs: 0,
      recRuns: 0,
      compileMs: 0,
      wallMs: 0,
    };
    const account = (r: InferResult, key: 'detMs' | 'recMs') => {
      timing[key] += r.wallMs;
      timing.compileMs += r.compileMs;
      if (r.gpuMs !== undefined) timing.gpuMs = (timing.gpuMs ?? 0) + r.gpuMs;
      if (r.steps) steps.push(...r.steps);
    };
    const start = performance.now();
    let t = start;
    const lap = (): number => {
      const n = performance.now();
      const d = n - t;
      t = n;
      return d;
    };

    const det = opts.det
      ? { shape: opts.det.feed.shape, scaleX: opts.det.scaleX, scaleY: opts.det.scaleY }
      : preprocessDet(img, this.options.maxSide);
    timing.preMs += lap();
    let detOut: InferResult;
    if (opts.det) {
      if (!this.engine.inferGpu) throw new Error(`the ${this.engine.name} engine cannot take a GPU det input`);
      detOut = await this.engine.inferGpu('det', opts.det.feed, { profile });
    } else {
      const host = det as ReturnType<typeof preprocessDet>;
      detOut = await this.engine.infer('det', host.data, host.shape, { profile });
    }
    account(detOut, 'detMs');
    lap();
    const [, , h, w] = det.shape;
    const boxes: TextBox[] = boxesFromProbMap(
      detOut.data.subarray(0, h * w),
      w,
      h,
      det.scaleX,
      det.scaleY,
      this.options.db,
    );
    timing.postMs += lap();

    const crops = boxes.map((box) => cropQuad(img, box.quad));
    const batches: RecBatch[] =
      this.options.batchRec === false
        ? crops.map((c, i) => ({ indices: [i], ...preprocessRec(c) }))
        : batchRecInputs(crops, { maxBatch: this.options.maxBatch });
    timing.preMs += lap();
    const decoded = new Array<Decoded>(boxes.length);
    for (const batch of batches) {
      const out = await this.engine.infer('rec', batch.data, batch.shape, { profile });
      account(out, 'recMs');
      timing.recRuns++;
      lap();
      const [, steps_, classes] = out.shape;
      batch.indices.forEach((box, row) => {
        const rowData = out.data.subarray(row * steps_ * classes, (row + 1) * steps_ * classes);
        decoded[box] = ctcGreedyDecode(rowData, steps_, classes, this.alphabet);
      });
      timing.postMs += lap();
    }
    const lines: OcrLine[] = [];
    const dropScore = this.options.dropScore ?? 0.5;
    boxes.forEach((box, i) => {
      // a space, a blank, a space decodes as two spaces: one word gap either way
      const text = decoded[i].text.trim().replace(/ {2,}/g, ' ');
      if (text && decoded[i].confidence >= dropScore)
        lines.push({ quad: box.quad, text, confidence: decoded[i].confidence, detScore: box.score });
    });
    const grouped = this.options.groupWords === false ? lines : sortBoxes(groupWords(lines));
    timing.postMs += lap();
    timing.wallMs = performance.now() - start;
    return { lines: grouped, detShape: [...det.shape], timing, steps };
  }
}

export interface KernelSummary {
  /** The slowest individual steps. */
  top: StepTime[];
  /** GPU time per kernel variant, slowest first. */
  byKernel: { kernel: string; count: number; gpuMs: number }[];
  totalGpuMs: number;
}

export function summarizeSteps(steps: readonly StepTime[], topN = 10): KernelSummary {
  const byKernel = new Map<string, { kernel: string; count: number; gpuMs: number }>();
  let total = 0;
  for (const s of steps) {
    total += s.gpuMs;
    const k = byKernel.get(s.kernel) ?? { kernel: s.kernel, count: 0, gpuMs: 0 };
    k.count++;
    k.gpuMs += s.gpuMs;
    byKernel.set(s.kernel, k);
  }
  return {
    top: [...steps].sort((a, b) => b.gpuMs - a.gpuMs).slice(0, topN),
    byKernel: [...byKernel.values()].sort((a, b) => b.gpuMs - a.gpuMs),
    totalGpuMs: total,
  };
}
