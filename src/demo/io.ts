// Reading and writing frames in Node: PNG (pngjs) and JPEG (jpeg-js), always as 8-bit RGBA.
import { readFileSync, writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { KestrelError } from '../index.js';
import type { RgbaImage } from './image.js';

export function decodeImage(bytes: Uint8Array, name = 'image'): RgbaImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47) {
    const png = PNG.sync.read(buf);
    return {
      width: png.width,
      height: png.height,
      data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
    };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    const j = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: j.width, height: j.height, data: j.data };
  }
  throw new KestrelError('INPUT', `${name}: not a PNG or JPEG file`);
}

export function readImage(path: string): RgbaImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new KestrelError('USAGE', `cannot read image '${path}': ${(e as Error).message}`);
  }
  return decodeImage(bytes, path);
}

export function encodePng(img: RgbaImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png, { colorType: 6 });
}

export function encodeJpeg(img: RgbaImage, quality = 85): Buffer {
  return jpeg.encode(
    {
      width: img.width,
      height: img.height,
      data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength),
    },
    quality,
  ).data;
}

export function writeImage(path: string, img: RgbaImage): void {
  writeFileSync(path, /\.jpe?g$/i.test(path) ? encodeJpeg(img) : encodePng(img));
}
