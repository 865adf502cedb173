/*
 * A block of one point's samples, packed (docs/data-model.md, "Packed sample blocks"). Lossless: every value decodes to the very double that was encoded,
 * so a value read back equals the JSON number the field sent.
 *
 *   byte    format (1)
 *   varint  count
 *   times   first time (zigzag varint, epoch ms), first delta, then deltas of deltas
 *           (zigzag varints): a point sampled at a steady rate costs one byte a sample
 *   values  byte mode, then
 *           0 decimal: byte d, then the values × 10^d as integers, the first as a zigzag
 *             varint and the rest as zigzag deltas (field values have a few decimals: a
 *             noisy 41.53 → 41.61 is a delta of 8, one byte)
 *           1 xor: the doubles as Facebook Gorilla stores them (XOR with the previous value,
 *             leading and meaningful bit counts), for values no small scale makes integers
 *   quality varint runs, then (code byte, varint length) per run: nearly always one run
 *
 * The decimal mode is chosen only when every value of the block survives the round trip
 * exactly (including the sign of zero), so the choice is never lossy.
 */

export const BLOCK_FORMAT = 1;
/** Quality as stored: a small integer code, its index here. */
export const QUALITY_CODES = ['good', 'uncertain', 'bad', 'stale'] as const;
const MAX_DECIMALS = 9;
const MODE_DECIMAL = 0;
const MODE_XOR = 1;

export interface SampleColumns {
  /** Epoch milliseconds, in order (equal times allowed, never decreasing). */
  ts: readonly number[];
  values: readonly number[];
  /** Small integer quality codes (QUALITY_CODES). */
  quality: readonly number[];
}

export function encodeBlock(s: SampleColumns): Uint8Array {
  const n = s.ts.length;
  if (s.values.length !== n || s.quality.length !== n) throw new Error('encodeBlock: columns of different lengths');
  const w = new ByteWriter();
  w.byte(BLOCK_FORMAT);
  w.varint(n);
  if (n === 0) return w.bytes();
  writeTimes(w, s.ts);
  const d = decimalScale(s.values);
  if (d === null) {
    w.byte(MODE_XOR);
    writeXor(w, s.values);
  } else {
    w.byte(MODE_DECIMAL);
    w.byte(d);
    writeDecimals(w, s.values, d);
  }
  writeRuns(w, s.quality);
  return w.bytes();
}

export function decodeBlock(bytes: Uint8Array): { ts: number[]; values: number[]; quality: number[] } {
  const r = new ByteReader(bytes);
  const format = r.byte();
  if (format !== BLOCK_FORMAT) throw new Error(`decodeBlock: unknown block format ${format}`);
  const n = r.varint();
  if (n === 0) return { ts: [], values: [], quality: [] };
  const ts = readTimes(r, n);
  const mode = r.byte();
  let values: number[];
  if (mode === MODE_DECIMAL) values = readDecimals(r, n, r.byte());
  else if (mode === MODE_XOR) values = readXor(r, n);
  else throw new Error(`decodeBlock: unknown value mode ${mode}`);
  return { ts, values, quality: readRuns(r, n) };
}

// ---- times: delta of delta ----

function writeTimes(w: ByteWriter, ts: readonly number[]): void {
  w.zigzag(ts[0]!);
  let prevDelta = 0;
  for (let i = 1; i < ts.length; i++) {
    const delta = ts[i]! - ts[i - 1]!;
    w.zigzag(i === 1 ? delta : delta - prevDelta);
    prevDelta = delta;
  }
}

function readTimes(r: ByteReader, n: number): number[] {
  const ts = [r.zigzag()];
  let delta = 0;
  for (let i = 1; i < n; i++) {
    delta = i === 1 ? r.zigzag() : delta + r.zigzag();
    ts.push(ts[i - 1]! + delta);
  }
  return ts;
}

// ---- values: scaled decimals ----

/** The smallest number of decimals that makes every value an exact integer, or null. */
function decimalScale(values: readonly number[]): number | null {
  for (let d = 0; d <= MAX_DECIMALS; d++) if (values.every((v) => decimalFits(v, d))) return d;
  return null;
}

function decimalFits(v: number, d: number): boolean {
  if (!Number.isFinite(v) || Object.is(v, -0)) return false;
  const scale = 10 ** d;
  const n = Math.round(v * scale);
  // Below 2^50: a delta of two such integers, zigzagged, stays a safe integer.
  return Math.abs(n) < 2 ** 50 && n / scale === v;
}

function writeDecimals(w: ByteWriter, values: readonly number[], d: number): void {
  const scale = 10 ** d;
  let prev = 0;
  for (const v of values) {
    const n = Math.round(v * scale);
    w.zigzag(n - prev);
    prev = n;
  }
}

function readDecimals(r: ByteReader, n: number, d: number): number[] {
  const scale = 10 ** d;
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    prev += r.zigzag();
    out.push(prev / scale);
  }
  return out;
}

// ---- values: Gorilla XOR ----

// A double's 64 bits as two unsigned 32-bit halves (no BigInt on the hot path).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

function halves(v: number): [number, number] {
  f64[0] = v;
  return [u32[HI]!, u32[LO]!];
}

function fromHalves(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

const clz64 = (hi: number, lo: number) => (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
const ctz32 = (x: number) => 31 - Math.clz32(x & -x);
const ctz64 = (hi: number, lo: number) => (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));

function writeXor(w: ByteWriter, values: readonly number[]): void {
  const bits = new BitWriter(w);
  let [ph, pl] = halves(values[0]!);
  bits.write64(ph, pl, 0, 64);
  let lead = -1;
  let meaningful = 0;
  for (let i = 1; i < values.length; i++) {
    const [ch, cl] = halves(values[i]!);
    const xh = (ch ^ ph) >>> 0;
    const xl = (cl ^ pl) >>> 0;
    ph = ch;
    pl = cl;
    if (xh === 0 && xl === 0) {
      bits.write(0, 1);
      continue;
    }
    const l = Math.min(clz64(xh, xl), 31);
    const t = ctz64(xh, xl);
    if (lead >= 0 && l >= lead && t >= 64 - lead - meaningful) {
      // Fits the previous window: control bits 10, then the window's bits.
      bits.write(0b10, 2);
      bits.write64(xh, xl, 64 - lead - meaningful, meaningful);
    } else {
      lead = l;
      meaningful = 64 - l - t;
      bits.write(0b11, 2);
      bits.write(lead, 5);
      // 64 meaningful bits are written as 0 (6 bits cannot hold 64).
      bits.write(meaningful & 63, 6);
      bits.write64(xh, xl, t, meaningful);
    }
  }
  bits.flush();
}

function readXor(r: ByteReader, n: number): number[] {
  const bits = new BitReader(r);
  let [ph, pl] = bits.read64(0, 64);
  const out = [fromHalves(ph, pl)];
  let lead = 0;
  let meaningful = 0;
  for (let i = 1; i < n; i++) {
    if (bits.read(1) === 0) {
      out.push(fromHalves(ph, pl));
      continue;
    }
    if (bits.read(1) === 1) {
      lead = bits.read(5);
      meaningful = bits.read(6) || 64;
    }
    const [xh, xl] = bits.read64(64 - lead - meaningful, meaningful);
    ph = (ph ^ xh) >>> 0;
    pl = (pl ^ xl) >>> 0;
    out.push(fromHalves(ph, pl));
  }
  bits.done();
  return out;
}

// ---- quality: runs ----

function writeRuns(w: ByteWriter, quality: readonly number[]): void {
  const runs: [number, number][] = [];
  for (const q of quality) {
    const last = runs.at(-1);
    if (last && last[0] === q) last[1]++;
    else runs.push([q, 1]);
  }
  w.varint(runs.length);
  for (const [q, len] of runs) {
    w.byte(q);
    w.varint(len);
  }
}

function readRuns(r: ByteReader, n: number): number[] {
  const out: number[] = [];
  for (let runs = r.varint(); runs > 0; runs--) {
    const q = r.byte();
    for (let len = r.varint(); len > 0; len--) out.push(q);
  }
  if (out.length !== n) throw new Error(`decodeBlock: ${out.length} quality codes for ${n} samples`);
  return out;
}

// ---- bytes and bits ----

class ByteWriter {
  private buf = new Uint8Array(64);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
  }

  /** A non-negative safe integer, 7 bits a byte (arithmetic, not bit operators: past 2^31). */
  varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) + 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  /** A safe integer of either sign: 0, -1, 1, -2, … → 0, 1, 2, 3, … */
  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class ByteReader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  byte(): number {
    if (this.at >= this.buf.length) throw new Error('decodeBlock: the block ends too soon');
    return this.buf[this.at++]!;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error('decodeBlock: a number is too long');
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

class BitWriter {
  private acc = 0;
  private used = 0;
  constructor(private readonly out: ByteWriter) {}

  /** The low `width` bits of `value` (width ≤ 31), most significant first. */
  write(value: number, width: number): void {
    for (let i = width - 1; i >= 0; i--) this.bit((value >>> i) & 1);
  }

  /** Bits `from` to `from + width - 1` of the 64-bit value (hi, lo), most significant first. */
  write64(hi: number, lo: number, from: number, width: number): void {
    for (let i = from + width - 1; i >= from; i--) this.bit(i >= 32 ? (hi >>> (i - 32)) & 1 : (lo >>> i) & 1);
  }

  private bit(b: number): void {
    this.acc = (this.acc << 1) | b;
    if (++this.used === 8) {
      this.out.byte(this.acc);
      this.acc = 0;
      this.used = 0;
    }
  }

  flush(): void {
    if (this.used > 0) this.out.byte(this.acc << (8 - this.used));
    this.acc = 0;
    this.used = 0;
  }
}

class BitReader {
  private acc = 0;
  private left = 0;
  constructor(private readonly input: ByteReader) {}

  /** `width` bits (≤ 31) as a number. */
  read(width: number): number {
    let v = 0;
    for (let i = 0; i < width; i++) v = (v << 1) | this.bit();
    return v >>> 0;
  }

  /** `width` bits placed at bits `from + width - 1` down to `from` of a 64-bit value (hi, lo). */
  read64(from: number, width: number): [number, number] {
    let hi = 0;
    let lo = 0;
    for (let i = from + width - 1; i >= from; i--) {
      const b = this.bit();
      if (i >= 32) hi |= b << (i - 32);
      else lo |= b << i;
    }
    return [hi >>> 0, lo >>> 0];
  }

  private bit(): number {
    if (this.left === 0) {
      this.acc = this.input.byte();
      this.left = 8;
    }
    this.left--;
    return (this.acc >> this.left) & 1;
  }

  /** The rest of the last byte is padding. */
  done(): void {
    this.left = 0;
  }
}
