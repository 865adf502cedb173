#!/usr/bin/env node
// Draws Plainview's application icon and writes every file the installers take from
// resources/ (electron-builder.yml, directories.buildResources):
//   resources/icons/<N>x<N>.png  the Linux icon set (deb, AppImage; linux.icon)
//   resources/icon.png           1024 px, the master
//   resources/icon.ico           Windows (exe, NSIS, MSI): PNG images 16 to 256 px
//   resources/icon.icns          macOS (app, dmg): PNG images 16@2x to 512@2x
// The .ico and .icns are written here, not left to electron-builder, because its converter
// is a tool downloaded at build time; with them in place it uses them as they are, and
// tests/unit/packaging.test.ts checks that offline.
//
// The mark: a block valve in a pipeline (the P&ID symbol, two triangles meeting at the
// seat, a stem and a handwheel) in white on the console's dark steel blue. Drawn from
// shapes with 4x4 samples a pixel, so every size is sharp and none is a scaled copy.
//
//   node scripts/icons.mjs        rewrites the files (run after changing the drawing)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** The Linux icon set's sizes: the freedesktop hicolor sizes electron-builder installs. */
export const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS entries that hold a PNG: type -> pixels. */
const ICNS_TYPES = [
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
];

const BACKGROUND = [0x1d, 0x3b, 0x5a];
const PIPE = [0x7f, 0xb3, 0xe0];
const VALVE = [0xf4, 0xf7, 0xfa];

const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** Inside a triangle (any winding). */
function inTriangle(x, y, [ax, ay], [bx, by], [cx, cy]) {
  const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
  const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
  const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

function inRoundedSquare(x, y, margin, radius) {
  const lo = margin + radius;
  const hi = 1 - margin - radius;
  const dx = Math.max(lo - x, 0, x - hi);
  const dy = Math.max(lo - y, 0, y - hi);
  return x >= margin && x <= 1 - margin && y >= margin && y <= 1 - margin && dx * dx + dy * dy <= radius * radius;
}

/** The colour at a point of the unit square, or null outside the icon. */
function colourAt(x, y) {
  if (!inRoundedSquare(x, y, 0.04, 0.18)) return null;
  const seat = [0.5, 0.6];
  const valve =
    inTriangle(x, y, [0.26, 0.43], [0.26, 0.77], seat) ||
    inTriangle(x, y, [0.74, 0.43], [0.74, 0.77], seat) ||
    inRect(x, y, 0.48, 0.3, 0.52, 0.6) ||
    inRect(x, y, 0.35, 0.23, 0.65, 0.31);
  if (valve) return VALVE;
  if (inRect(x, y, 0.1, 0.56, 0.9, 0.64)) return PIPE;
  return BACKGROUND;
}

/** RGBA pixels of the mark at `size` px, anti-aliased with 4x4 samples a pixel. */
export function drawMark(size) {
  const n = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = colourAt((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          if (!c) continue;
          covered++;
          for (let i = 0; i < 3; i++) sum[i] += c[i];
        }
      }
      const o = (py * size + px) * 4;
      if (covered === 0) continue;
      for (let i = 0; i < 3; i++) rgba[o + i] = Math.round(sum[i] / covered);
      rgba[o + 3] = Math.round((255 * covered) / (n * n));
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG file (8-bit RGBA, no interlace) of square RGBA pixels. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A Windows .ico holding PNG images (Windows Vista and later read these). */
function encodeIco(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(png.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.png)]);
}

/** A macOS .icns of PNG entries. */
function encodeIcns(entries) {
  const parts = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

function writeAll(resources) {
  const sizes = [...new Set([...LINUX_ICON_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, s]) => s), 1024])];
  const png = new Map(sizes.map((s) => [s, encodePng(s, drawMark(s))]));
  fs.mkdirSync(path.join(resources, 'icons'), { recursive: true });
  for (const s of LINUX_ICON_SIZES) fs.writeFileSync(path.join(resources, 'icons', `${s}x${s}.png`), png.get(s));
  fs.writeFileSync(path.join(resources, 'icon.png'), png.get(1024));
  fs.writeFileSync(
    path.join(resources, 'icon.ico'),
    encodeIco(ICO_SIZES.map((size) => ({ size, png: png.get(size) }))),
  );
  fs.writeFileSync(
    path.join(resources, 'icon.icns'),
    encodeIcns(ICNS_TYPES.map(([type, size]) => ({ type, png: png.get(size) }))),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const resources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources');
  writeAll(resources);
  console.log(`icons written to ${resources}`);
}
