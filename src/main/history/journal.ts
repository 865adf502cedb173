/**
 * A journal record: the samples of one commit not yet in a block, as plain columns (they live
 * minutes at most, so they are kept simple rather than small): count, then point numbers
 * (uint32), times and values (float64) and quality codes (uint8).
 */
export interface JournalSamples {
  points: ArrayLike<number>;
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
  quality: ArrayLike<number>;
}

export function encodeJournal(s: JournalSamples): Buffer {
  const n = s.ts.length;
  const buf = Buffer.allocUnsafe(4 + n * 21);
  buf.writeUInt32LE(n, 0);
  let o = 4;
  for (let i = 0; i < n; i++, o += 4) buf.writeUInt32LE(s.points[i]!, o);
  for (let i = 0; i < n; i++, o += 8) buf.writeDoubleLE(s.ts[i]!, o);
  for (let i = 0; i < n; i++, o += 8) buf.writeDoubleLE(s.values[i]!, o);
  for (let i = 0; i < n; i++, o += 1) buf.writeUInt8(s.quality[i]!, o);
  return buf;
}

export function decodeJournal(data: Uint8Array): {
  points: number[];
  ts: number[];
  values: number[];
  quality: number[];
} {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const n = buf.readUInt32LE(0);
  if (buf.length !== 4 + n * 21) throw new Error(`journal record of ${buf.length} bytes cannot hold ${n} samples`);
  const out = {
    points: new Array<number>(n),
    ts: new Array<number>(n),
    values: new Array<number>(n),
    quality: new Array<number>(n),
  };
  let o = 4;
  for (let i = 0; i < n; i++, o += 4) out.points[i] = buf.readUInt32LE(o);
  for (let i = 0; i < n; i++, o += 8) out.ts[i] = buf.readDoubleLE(o);
  for (let i = 0; i < n; i++, o += 8) out.values[i] = buf.readDoubleLE(o);
  for (let i = 0; i < n; i++, o += 1) out.quality[i] = buf.readUInt8(o);
  return out;
}
