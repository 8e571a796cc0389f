// A small protobuf wire-format reader and writer: just what OTLP needs, no generated code.
// Every read is bounds-checked, so a hostile body throws a ProtoError instead of reading garbage.

export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;

const hexByte: string[] = [];
for (let i = 0; i < 256; i++) hexByte.push(i.toString(16).padStart(2, '0'));

const utf8Decoder = new TextDecoder('utf-8');

export class ProtoReader {
  pos: number;
  readonly buf: Uint8Array;
  private readonly view: DataView;
  // Scratch for 64-bit varints: low and high 32 bits of the last one read.
  private lo = 0;
  private hi = 0;

  private readonly nodeBuf: Buffer | undefined;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.nodeBuf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get length(): number {
    return this.buf.length;
  }

  /** A varint that fits 32 bits (tags, lengths, enums, uint32). Larger ones keep their low 32 bits. */
  uint32(): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < buf.length && buf[pos] < 0x80) {
      this.pos = pos + 1;
      return buf[pos];
    }
    this.varint64();
    return this.lo;
  }

  /** int32/enum: negative values are sign-extended to ten bytes on the wire. */
  int32(): number {
    this.varint64();
    return this.lo | 0;
  }

  /** uint64 as a number (exact up to 2^53). */
  uint64(): number {
    this.varint64();
    return this.hi * TWO_32 + this.lo;
  }

  /** int64 (two's complement) as a number. */
  int64(): number {
    this.varint64();
    return (this.hi | 0) * TWO_32 + this.lo;
  }

  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  bool(): boolean {
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  private varint64(): void {
    const buf = this.buf;
    const end = buf.length;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw new ProtoError('truncated varint');
      b = buf[pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (pos >= end) throw new ProtoError('truncated varint');
    b = buf[pos++];
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) {
      this.pos = pos;
      this.lo = lo >>> 0;
      this.hi = hi >>> 0;
      return;
    }
    for (let shift = 3; shift < 35; shift += 7) {
      if (pos >= end) throw new ProtoError('truncated varint');
      b = buf[pos++];
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw new ProtoError('varint longer than ten bytes');
  }

  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.buf.length) throw new ProtoError('truncated fixed32');
    this.pos = pos + 4;
    return this.view.getUint32(pos, true);
  }

  /** fixed64 as a number: exact to 2^53, which keeps nanosecond timestamps to within 256 ns. */
  fixed64(): number {
    const pos = this.pos;
    if (pos + 8 > this.buf.length) throw new ProtoError('truncated fixed64');
    this.pos = pos + 8;
    return this.view.getUint32(pos + 4, true) * TWO_32 + this.view.getUint32(pos, true);
  }

  sfixed64(): number {
    const pos = this.pos;
    if (pos + 8 > this.buf.length) throw new ProtoError('truncated sfixed64');
    this.pos = pos + 8;
    return this.view.getInt32(pos + 4, true) * TWO_32 + this.view.getUint32(pos, true);
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.buf.length) throw new ProtoError('truncated double');
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns where the delimited field ends, checked against `limit`. */
  lenEnd(limit: number): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > limit) throw new ProtoError('length-delimited field runs past its message');
    return end;
  }

  string(limit: number): string {
    const end = this.lenEnd(limit);
    const start = this.pos;
    this.pos = end;
    return end - start <= CACHED_MAX_LENGTH ? cachedString(this.buf, start, end) : decodeUtf8(this.buf, start, end);
  }

  /** Bytes as lowercase hex (trace and span ids). */
  hex(limit: number): string {
    const end = this.lenEnd(limit);
    const start = this.pos;
    this.pos = end;
    if (this.nodeBuf) return this.nodeBuf.toString('hex', start, end);
    const buf = this.buf;
    let s = '';
    for (let i = start; i < end; i++) s += hexByte[buf[i]];
    return s;
  }

  bytes(limit: number): Uint8Array {
    const end = this.lenEnd(limit);
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  skip(wireType: number, limit: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint64();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lenEnd(limit);
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      default:
        // Groups (3, 4) are proto2-only and never appear in OTLP; 6 and 7 are not wire types at all.
        throw new ProtoError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > limit) throw new ProtoError('field runs past its message');
  }
}

// Keys, names, routes and enum-like values repeat in every span of every batch. A direct-mapped cache
// from their bytes to one shared string skips decoding them again and keeps one copy in the store.
const CACHE_SLOTS = 8192;
const CACHED_MAX_LENGTH = 48;
const cacheStrings: (string | undefined)[] = new Array(CACHE_SLOTS).fill(undefined);

function cachedString(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  let h = 0x811c9dc5 ^ len;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const slot = (h >>> 0) & (CACHE_SLOTS - 1);
  const hit = cacheStrings[slot];
  if (hit !== undefined && hit.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const s = decodeUtf8(buf, start, end);
  // Only ASCII strings can be compared byte for byte with their characters.
  if (s.length === len) cacheStrings[slot] = s;
  return s;
}

/**
 * Short ASCII strings dominate OTLP (keys, names, routes): they are checked in JS and copied by a
 * native latin1 slice, which makes a flat string. (Building them with `s += char` made rope strings
 * of 13 to 32 characters that kept about ten times their size on the heap, uncounted by the store.)
 */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len === 0) return '';
  if (len <= 32) {
    for (let i = start; i < end; i++) if (buf[i] >= 0x80) return utf8Decoder.decode(buf.subarray(start, end));
    return (Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)).toString('latin1', start, end);
  }
  return utf8Decoder.decode(buf.subarray(start, end));
}

/** A minimal writer, used only for the small response messages the receiver sends back. */
export class ProtoWriter {
  private bytes: number[] = [];

  varint(n: number): this {
    let v = Math.max(0, Math.floor(n));
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  uint(field: number, n: number): this {
    return this.tag(field, WIRE_VARINT).varint(n);
  }

  string(field: number, s: string): this {
    const b = Buffer.from(s, 'utf8');
    this.tag(field, WIRE_LEN).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  message(field: number, inner: ProtoWriter): this {
    const b = inner.finish();
    this.tag(field, WIRE_LEN).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
