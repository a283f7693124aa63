// The bundled frame sets and their ground truth (drawn by scripts/make-frames.ts; truth in each set's frames.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KestrelError } from '../core/errors.js';
import { findRoot } from './root.js';
import type { FramesManifest } from './truth.js';

/** signs: the road-sign frames; gaps: narrow word gaps and digits beside letters, where word spacing is tested. */
export const FRAME_SETS = { signs: 'frames', gaps: 'frames-gaps' } as const;
export type FrameSet = keyof typeof FRAME_SETS;
export const FRAME_SET_NAMES = Object.keys(FRAME_SETS) as FrameSet[];

export function framesDir(set: FrameSet = 'signs'): string {
  if (!(set in FRAME_SETS))
    throw new KestrelError('USAGE', `unknown frame set '${set}' (one of ${FRAME_SET_NAMES.join(', ')})`);
  return join(findRoot(), 'assets', FRAME_SETS[set]);
}

export function loadFrames(set: FrameSet = 'signs'): FramesManifest & { dir: string; set: FrameSet } {
  const dir = framesDir(set);
  const manifest = JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8')) as FramesManifest;
  return { ...manifest, dir, set };
}
