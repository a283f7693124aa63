// The bundled frames' ground truth (assets/frames/frames.json, written by scripts/make-frames.ts).
export interface TruthLine {
  text: string;
  /** The line's corners in frame pixels: tl, tr, br, bl. */
  quad: [[number, number], [number, number], [number, number], [number, number]];
}

export interface FrameTruth {
  file: string;
  lines: TruthLine[];
  conditions: { light: string; blur: number; noise: number; jpegQuality: number | null };
}

export interface FramesManifest {
  generator: string;
  width: number;
  height: number;
  frames: FrameTruth[];
}
