/**
 * A small protobuf wire-format decoder: enough to read ONNX models and tensors without a
 * generated schema. A message is decoded into its fields by number; the caller knows the
 * schema and asks for each field as the type it expects.
 *
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited (strings, bytes, sub-messages and
 * packed repeated scalars), 5 fixed32. Groups (3, 4) are obsolete and refused.
 */

export type WireValue =
  | { wire: 0; value: bigint }
  | { wire: 1; bytes: Uint8Array }
  | { wire: 2; bytes: Uint8Array }
  | { wire: 5; bytes: Uint8Array };

export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

/** Reads a base-128 varint at `pos`; returns the unsigned 64-bit value and the next position. */
export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  // Fast path: up to 4 bytes (28 bits) fit a JS number exactly.
  let small = 0;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= buf.length) throw new ProtobufError(`truncated varint at byte ${pos}`);
    const b = buf[pos + i]!;
    small |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return [BigInt(small >>> 0), pos + i + 1];
  }
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new ProtobufError(`truncated varint at byte ${pos}`);
    const b = buf[pos++]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, value), pos];
    shift += 7n;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${pos}`);
}

/** All fields of one message, by field number, in the order they appear. */
export class Message {
  readonly fields = new Map<number, WireValue[]>();

  constructor(readonly bytes: Uint8Array, readonly what = 'message') {
    let pos = 0;
    while (pos < bytes.length) {
      const at = pos;
      const [key, afterKey] = readVarint(bytes, pos);
      const field = Number(key >> 3n);
      const wire = Number(key & 7n);
      if (field === 0) throw new ProtobufError(`${what}: field number 0 at byte ${at}`);
      pos = afterKey;
      let v: WireValue;
      if (wire === 0) {
        const [value, next] = readVarint(bytes, pos);
        v = { wire, value };
        pos = next;
      } else if (wire === 1 || wire === 5) {
        const n = wire === 1 ? 8 : 4;
        if (pos + n > bytes.length) throw new ProtobufError(`${what}: truncated fixed${n * 8} field ${field}`);
        v = { wire, bytes: bytes.subarray(pos, pos + n) };
        pos += n;
      } else if (wire === 2) {
        const [len, next] = readVarint(bytes, pos);
        const end = next + Number(len);
        if (end > bytes.length) throw new ProtobufError(`${what}: field ${field} of ${len} bytes runs past the end (${bytes.length - next} left)`);
        v = { wire, bytes: bytes.subarray(next, end) };
        pos = end;
      } else {
        throw new ProtobufError(`${what}: unsupported wire type ${wire} (field ${field}) at byte ${at}`);
      }
      let list = this.fields.get(field);
      if (!list) this.fields.set(field, (list = []));
      list.push(v);
    }
  }

  private all(field: number): WireValue[] {
    return this.fields.get(field) ?? [];
  }

  has(field: number): boolean {
    return this.fields.has(field);
  }

  private expect(field: number, v: WireValue, wire: number, type: string): void {
    if (v.wire !== wire) throw new ProtobufError(`${this.what}: field ${field} has wire type ${v.wire}, expected ${wire} for ${type}`);
  }

  // ---- singular fields (the last occurrence wins, as protobuf specifies) --------------------

  int(field: number, fallback = 0): number {
    const list = this.ints(field);
    return list.length ? list[list.length - 1]! : fallback;
  }

  float(field: number, fallback = 0): number {
    const list = this.floats(field);
    return list.length ? list[list.length - 1]! : fallback;
  }

  bytesField(field: number): Uint8Array | undefined {
    const list = this.all(field);
    const v = list[list.length - 1];
    if (!v) return undefined;
    this.expect(field, v, 2, 'bytes');
    return (v as { bytes: Uint8Array }).bytes;
  }

  string(field: number, fallback = ''): string {
    const b = this.bytesField(field);
    return b ? utf8.decode(b) : fallback;
  }

  message(field: number, what?: string): Message | undefined {
    const b = this.bytesField(field);
    return b ? new Message(b, what ?? `${this.what}.${field}`) : undefined;
  }

  // ---- repeated fields (packed or not) --------------------------------------------------------

  /** Repeated int32/int64/enum/bool as JS numbers (two's complement for negatives). */
  ints(field: number): number[] {
    return this.bigints(field).map((v) => {
      const n = BigInt.asIntN(64, v);
      if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new ProtobufError(`${this.what}: integer field ${field} value ${n} is not a safe JS number`);
      }
      return Number(n);
    });
  }

  /** Repeated varints as unsigned 64-bit values (packed or one per key). */
  bigints(field: number): bigint[] {
    const out: bigint[] = [];
    for (const v of this.all(field)) {
      if (v.wire === 0) out.push(v.value);
      else if (v.wire === 2) {
        let pos = 0;
        while (pos < v.bytes.length) {
          const [value, next] = readVarint(v.bytes, pos);
          out.push(value);
          pos = next;
        }
      } else throw new ProtobufError(`${this.what}: field ${field} has wire type ${v.wire}, expected a varint`);
    }
    return out;
  }

  /** Repeated float (fixed32), packed or one per key. */
  floats(field: number): number[] {
    return this.fixed(field, 5, 4, (d, o) => d.getFloat32(o, true));
  }

  /** Repeated double (fixed64), packed or one per key. */
  doubles(field: number): number[] {
    return this.fixed(field, 1, 8, (d, o) => d.getFloat64(o, true));
  }

  private fixed(field: number, wire: 1 | 5, width: number, get: (d: DataView, o: number) => number): number[] {
    const out: number[] = [];
    for (const v of this.all(field)) {
      if (v.wire !== wire && v.wire !== 2) throw new ProtobufError(`${this.what}: field ${field} has wire type ${v.wire}, expected ${wire} or packed`);
      const b = (v as { bytes: Uint8Array }).bytes;
      if (b.length % width) throw new ProtobufError(`${this.what}: packed field ${field} has ${b.length} bytes, not a multiple of ${width}`);
      const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let o = 0; o < b.length; o += width) out.push(get(d, o));
    }
    return out;
  }

  /** Repeated strings. */
  strings(field: number): string[] {
    return this.bytesList(field).map((b) => utf8.decode(b));
  }

  bytesList(field: number): Uint8Array[] {
    return this.all(field).map((v) => {
      this.expect(field, v, 2, 'bytes');
      return (v as { bytes: Uint8Array }).bytes;
    });
  }

  /** Repeated sub-messages. */
  messages(field: number, what?: string): Message[] {
    return this.bytesList(field).map((b, i) => new Message(b, `${what ?? `${this.what}.${field}`}[${i}]`));
  }
}

const utf8 = new TextDecoder('utf-8');
