// Draws the bundled road-scene frames (assets/frames/) reproducibly, with the true text of every sign line.
// Signs are rendered flat with pureimage and DejaVu fonts, then warped into a synthetic road scene with a
// homography; lighting, blur, noise and JPEG compression vary per frame. Same seed, same bytes.
// Usage: npx tsx scripts/make-frames.ts [--set signs|gaps] [--out DIR]
//   signs (default): the road-sign frames, into assets/frames
//   gaps: narrow word gaps and digits beside letters (where OCR drops or invents spaces), into assets/frames-gaps
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as PImage from 'pureimage';
import type { RgbaImage } from '../src/demo/image.js';
import { encodeJpeg, encodePng } from '../src/demo/io.js';
import {
  type Camera,
  H,
  LIGHTS,
  type Placement,
  type Rgb,
  type SignSpec,
  W,
  applyCamera,
  drawPole,
  drawScene,
  mulberry32,
  pasteSign,
  placeQuad,
  renderSign,
} from './frame-art.js';
import type { FrameTruth, FramesManifest } from '../src/demo/truth.js';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const FONTS = { bold: 'DejaVuSans-Bold.ttf', cond: 'DejaVuSansCondensed-Bold.ttf', sans: 'DejaVuSans.ttf' } as const;

// ---- the frames --------------------------------------------------------------------------------------------

const WHITE: Rgb = [245, 245, 240];
const BLACK: Rgb = [20, 20, 22];
const GREEN: Rgb = [0, 110, 70];
const RED: Rgb = [200, 25, 30];
const BLUE: Rgb = [20, 70, 160];
const YELLOW: Rgb = [250, 205, 20];
const BROWN: Rgb = [110, 60, 30];

const speedLimit = (n: string): SignSpec => ({
  w: 120,
  h: 150,
  shape: 'roundrect',
  bg: WHITE,
  border: { color: BLACK, width: 4, inset: 4 },
  lines: [
    { text: 'SPEED', size: 26, y: 44, color: BLACK },
    { text: 'LIMIT', size: 26, y: 78, color: BLACK },
    { text: n, size: 52, y: 134, color: BLACK },
  ],
});
const guide = (lines: string[], bg: Rgb = GREEN, w = 240, size = 30): SignSpec => ({
  w,
  h: 22 + lines.length * (size + 16),
  shape: 'roundrect',
  bg,
  border: { color: WHITE, width: 3, inset: 4 },
  lines: lines.map((text, i) => ({ text, size, y: 18 + (i + 1) * (size + 14) - 6, color: WHITE })),
});
const blade = (text: string, bg: Rgb = GREEN): SignSpec => ({
  w: 30 + text.length * 19,
  h: 46,
  shape: 'roundrect',
  bg,
  border: { color: WHITE, width: 2, inset: 2 },
  lines: [{ text, size: 30, y: 34, color: WHITE, font: 'cond' }],
});
const stop: SignSpec = {
  w: 130,
  h: 130,
  shape: 'octagon',
  bg: RED,
  border: { color: WHITE, width: 4, inset: 3 },
  lines: [{ text: 'STOP', size: 40, y: 80, color: WHITE }],
};
const plate = (lines: string[], bg: Rgb, fg: Rgb, w: number, size = 28, border: Rgb = fg): SignSpec => ({
  w,
  h: 20 + lines.length * (size + 14),
  shape: 'rect',
  bg,
  border: { color: border, width: 4, inset: 3 },
  lines: lines.map((text, i) => ({ text, size, y: 14 + (i + 1) * (size + 12) - 4, color: fg })),
});

interface FrameSpec {
  name: string;
  light: keyof typeof LIGHTS;
  camera: Camera;
  horizon: number;
  vanishX: number;
  signs: { spec: SignSpec; at: Placement }[];
  format: 'png' | 'jpg';
}

const FRAMES: FrameSpec[] = [
  {
    name: '01-speed-limit',
    light: 'day',
    camera: { blur: 0.6, noise: 3, jpeg: 88 },
    horizon: 210,
    vanishX: 300,
    format: 'jpg',
    signs: [
      { spec: speedLimit('60'), at: { cx: 500, cy: 170, width: 120, yaw: 0.35, roll: 0.02, pole: true } },
      { spec: blade('MAPLE AVE'), at: { cx: 140, cy: 110, width: 200, yaw: -0.25, roll: -0.03, pole: true } },
    ],
  },
  {
    name: '02-stop',
    light: 'overcast',
    camera: { blur: 0.8, noise: 4, jpeg: 85 },
    horizon: 230,
    vanishX: 340,
    format: 'jpg',
    signs: [
      { spec: stop, at: { cx: 470, cy: 180, width: 130, yaw: 0.3, roll: -0.04, pole: true } },
      {
        spec: plate(['ONE WAY'], BLACK, WHITE, 190, 30),
        at: { cx: 150, cy: 150, width: 190, yaw: -0.2, roll: 0.03, pole: true },
      },
    ],
  },
  {
    name: '03-exit',
    light: 'day',
    camera: { blur: 0.5, noise: 3, jpeg: 86 },
    horizon: 250,
    vanishX: 320,
    format: 'jpg',
    signs: [
      { spec: guide(['EXIT 12', 'AIRPORT']), at: { cx: 420, cy: 110, width: 250, yaw: 0.12, roll: 0.0, pole: true } },
      { spec: blade('OAK ST'), at: { cx: 120, cy: 200, width: 140, yaw: -0.35, roll: 0.05, pole: true } },
    ],
  },
  {
    name: '04-hospital-dusk',
    light: 'dusk',
    camera: { blur: 0.9, noise: 5, jpeg: 84 },
    horizon: 220,
    vanishX: 300,
    format: 'jpg',
    signs: [
      {
        spec: guide(['HOSPITAL', '2 KM'], BLUE, 200, 28),
        at: { cx: 480, cy: 150, width: 190, yaw: 0.3, roll: -0.03, pole: true },
      },
      {
        spec: plate(['SCHOOL', 'ZONE'], YELLOW, BLACK, 150, 28),
        at: { cx: 150, cy: 170, width: 150, yaw: -0.3, roll: 0.04, pole: true },
      },
    ],
  },
  {
    name: '05-parking-blur',
    light: 'overcast',
    camera: { blur: 1.3, noise: 6, jpeg: 82 },
    horizon: 200,
    vanishX: 330,
    format: 'jpg',
    signs: [
      {
        spec: plate(['NO', 'PARKING'], WHITE, RED, 170, 30),
        at: { cx: 510, cy: 170, width: 170, yaw: 0.4, roll: 0.03, pole: true },
      },
      { spec: speedLimit('30'), at: { cx: 130, cy: 160, width: 120, yaw: -0.3, roll: -0.05, pole: true } },
    ],
  },
  {
    name: '06-city-glare',
    light: 'glare',
    camera: { blur: 0.7, noise: 4, jpeg: 86 },
    horizon: 240,
    vanishX: 320,
    format: 'jpg',
    signs: [
      {
        spec: guide(['CITY CENTRE', 'MUSEUM'], BROWN, 260, 28),
        at: { cx: 330, cy: 110, width: 270, yaw: 0.05, roll: -0.02, pole: true },
      },
      { spec: blade('HARBOR RD', BLUE), at: { cx: 110, cy: 250, width: 190, yaw: -0.2, roll: 0.02, pole: true } },
    ],
  },
  {
    name: '07-highway-night',
    light: 'night',
    camera: { blur: 0.8, noise: 5, jpeg: 84 },
    horizon: 240,
    vanishX: 320,
    format: 'jpg',
    signs: [
      {
        spec: guide(['HIGHWAY 101', 'NORTH']),
        at: { cx: 400, cy: 120, width: 260, yaw: 0.15, roll: 0.02, pole: true },
      },
    ],
  },
  {
    name: '08-shade',
    light: 'shade',
    camera: { blur: 0.6, noise: 0 },
    horizon: 230,
    vanishX: 310,
    format: 'png',
    signs: [
      { spec: blade('5TH AVE'), at: { cx: 470, cy: 95, width: 170, yaw: 0.25, roll: 0.03, pole: false } },
      { spec: blade('ELM ST'), at: { cx: 480, cy: 150, width: 150, yaw: -0.2, roll: -0.02, pole: true } },
      {
        spec: plate(['BUS STOP'], BLUE, WHITE, 170, 28, WHITE),
        at: { cx: 140, cy: 180, width: 170, yaw: -0.25, roll: 0.0, pole: true },
      },
    ],
  },
];

/** The same sign with every line's words set `gap` em apart (signs use 0.9 em; a space in body text is ~0.32 em). */
const narrow = (spec: SignSpec, gap: number): SignSpec => ({
  ...spec,
  lines: spec.lines.map((l) => ({ ...l, wordGap: gap })),
});

const GAP_FRAMES: FrameSpec[] = [
  {
    name: '01-exit-42',
    light: 'day',
    camera: { blur: 0.6, noise: 3, jpeg: 88 },
    horizon: 240,
    vanishX: 320,
    format: 'jpg',
    signs: [
      {
        spec: narrow(guide(['EXIT 42', 'MAIN ST']), 0.35),
        at: { cx: 420, cy: 115, width: 240, yaw: 0.15, roll: 0.01, pole: true },
      },
      { spec: narrow(blade('RT 9W'), 0.3), at: { cx: 130, cy: 190, width: 130, yaw: -0.3, roll: 0.03, pole: true } },
    ],
  },
  {
    name: '02-gate-b12',
    light: 'overcast',
    camera: { blur: 0.8, noise: 4, jpeg: 85 },
    horizon: 230,
    vanishX: 300,
    format: 'jpg',
    signs: [
      {
        spec: narrow(plate(['GATE B12', 'LOT C2'], BLUE, WHITE, 190, 28, WHITE), 0.35),
        at: { cx: 470, cy: 160, width: 190, yaw: 0.25, roll: -0.02, pole: true },
      },
      {
        spec: narrow(blade('PIER 7A', BROWN), 0.3),
        at: { cx: 150, cy: 130, width: 150, yaw: -0.2, roll: 0.02, pole: true },
      },
    ],
  },
  {
    name: '03-a1-north',
    light: 'dusk',
    camera: { blur: 0.9, noise: 5, jpeg: 84 },
    horizon: 220,
    vanishX: 320,
    format: 'jpg',
    signs: [
      {
        spec: narrow(guide(['A1 NORTH', 'EXIT 3B'], GREEN, 230, 28), 0.4),
        at: { cx: 430, cy: 120, width: 230, yaw: 0.2, roll: 0.02, pole: true },
      },
      {
        spec: narrow(plate(['ZONE 4'], YELLOW, BLACK, 140, 28), 0.35),
        at: { cx: 140, cy: 190, width: 140, yaw: -0.3, roll: -0.03, pole: true },
      },
    ],
  },
  {
    name: '04-us-101',
    light: 'glare',
    camera: { blur: 0.7, noise: 4, jpeg: 86 },
    horizon: 240,
    vanishX: 330,
    format: 'jpg',
    signs: [
      {
        spec: narrow(guide(['US 101 S', 'SAN JOSE'], GREEN, 250, 28), 0.35),
        at: { cx: 360, cy: 110, width: 250, yaw: 0.05, roll: -0.01, pole: true },
      },
      {
        spec: narrow(blade('2ND AVE', BLUE), 0.3),
        at: { cx: 110, cy: 240, width: 150, yaw: -0.2, roll: 0.02, pole: true },
      },
    ],
  },
  {
    name: '05-km-night',
    light: 'night',
    camera: { blur: 0.8, noise: 5, jpeg: 84 },
    horizon: 240,
    vanishX: 320,
    format: 'jpg',
    signs: [
      {
        spec: narrow(guide(['E40 BRUGGE', '12 KM'], BLUE, 240, 28), 0.35),
        at: { cx: 400, cy: 120, width: 250, yaw: 0.15, roll: 0.02, pole: true },
      },
    ],
  },
  {
    name: '06-bay-shade',
    light: 'shade',
    camera: { blur: 0.6, noise: 0 },
    horizon: 230,
    vanishX: 310,
    format: 'png',
    signs: [
      {
        spec: narrow(blade('BAY 5 EV'), 0.3),
        at: { cx: 460, cy: 100, width: 170, yaw: 0.25, roll: 0.03, pole: false },
      },
      {
        spec: narrow(plate(['NO 2 HR', 'PARKING'], WHITE, RED, 170, 28), 0.35),
        at: { cx: 150, cy: 170, width: 170, yaw: -0.25, roll: 0.0, pole: true },
      },
    ],
  },
];

const SETS: Record<string, { frames: FrameSpec[]; out: string; seed: number }> = {
  signs: { frames: FRAMES, out: 'assets/frames', seed: 1000 },
  gaps: { frames: GAP_FRAMES, out: 'assets/frames-gaps', seed: 2000 },
};

function registerFonts(): void {
  for (const [name, file] of Object.entries(FONTS)) {
    const path = join(FONT_DIR, file);
    if (!existsSync(path))
      throw new Error(
        `font ${path} not found: install Debian's fonts-dejavu-core (the committed frames do not need it)`,
      );
    PImage.registerFont(path, name).loadSync();
  }
}

export function makeFrame(spec: FrameSpec, seed: number): { image: RgbaImage; truth: FrameTruth } {
  const rand = mulberry32(seed);
  const light = LIGHTS[spec.light];
  const scene = drawScene(light, rand, spec.horizon, spec.vanishX);
  const lines: FrameTruth['lines'] = [];
  for (const { spec: sign, at } of spec.signs) {
    const { art, w, h, lineBoxes } = renderSign(sign);
    const quad = placeQuad({ ...at, width: (at.width * w) / sign.w }, w / h);
    if (at.pole) drawPole(scene, quad, light);
    const toScene = pasteSign(scene, art, quad);
    for (const {
      text,
      box: [x0, y0, x1, y1],
    } of lineBoxes) {
      const q = [
        { x: x0, y: y0 },
        { x: x1, y: y0 },
        { x: x1, y: y1 },
        { x: x0, y: y1 },
      ].map(toScene);
      lines.push({
        text,
        quad: q.map((p) => [
          Math.round(p.x * 10) / 10,
          Math.round(p.y * 10) / 10,
        ]) as FrameTruth['lines'][number]['quad'],
      });
    }
  }
  const image = applyCamera(scene, light, spec.camera, rand);
  const file = `${spec.name}.${spec.format}`;
  return {
    image,
    truth: {
      file,
      lines,
      conditions: {
        light: spec.light,
        blur: spec.camera.blur,
        noise: spec.camera.noise,
        jpegQuality: spec.camera.jpeg ?? null,
      },
    },
  };
}

function main(): void {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const setName = flag('--set') ?? 'signs';
  const set = SETS[setName];
  if (!set) throw new Error(`--set must be one of ${Object.keys(SETS).join(', ')}, got '${setName}'`);
  const out = flag('--out') ?? set.out;
  registerFonts();
  mkdirSync(out, { recursive: true });
  const frames: FrameTruth[] = [];
  let total = 0;
  set.frames.forEach((spec, i) => {
    const { image, truth } = makeFrame(spec, set.seed + i);
    const bytes = spec.format === 'jpg' ? encodeJpeg(image, spec.camera.jpeg ?? 85) : encodePng(image);
    writeFileSync(join(out, truth.file), bytes);
    total += bytes.length;
    frames.push(truth);
    console.log(
      `${truth.file.padEnd(26)} ${(bytes.length / 1024).toFixed(1).padStart(6)} KiB  ${truth.lines.map((l) => l.text).join(' | ')}`,
    );
  });
  const manifest: FramesManifest = { generator: 'scripts/make-frames.ts', width: W, height: H, frames };
  writeFileSync(join(out, 'frames.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  console.log(`${frames.length} frames, ${(total / 1024).toFixed(0)} KiB, truth in ${join(out, 'frames.json')}`);
}

main();
