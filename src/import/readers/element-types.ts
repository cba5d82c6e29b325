/**
 * The element types weight files store, and their widening to float32: every reader hands out a
 * Float32Array whatever the file held. float16, bfloat16 and the integers up to 2^24 widen
 * exactly; float64 and larger integers round to the nearest float32.
 */
import type { SourceDType } from '../tensors.js';

/** Bytes per element of each type. */
export const ELEMENT_BYTES: Readonly<Record<SourceDType, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** Whether this machine's typed arrays are little endian, as weight files are (unless they say otherwise). */
export const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The value of IEEE 754 half-precision bits. */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * The elements in `bytes`, of type `dtype` and the given byte order, as float32. For float32 in
 * the platform's byte order at an aligned offset, the result is a view of `bytes` (no copy).
 */
export function decodeElements(bytes: Uint8Array, dtype: SourceDType, littleEndian: boolean): Float32Array {
  const count = Math.floor(bytes.byteLength / ELEMENT_BYTES[dtype]);
  if (dtype === 'float32' && littleEndian === PLATFORM_LITTLE_ENDIAN) {
    return bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, count) : new Float32Array(bytes.slice(0, count * 4).buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, littleEndian);
      break;
    case 'float16':
      for (let i = 0; i < count; i++) out[i] = halfValue(view.getUint16(i * 2, littleEndian));
      break;
    case 'bfloat16': {
      // bfloat16 is the upper half of a float32: shifting the bits is exact, NaN payloads included.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, littleEndian) << 16;
      break;
    }
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, littleEndian);
      break;
    case 'int64':
      for (let i = 0; i < count; i++) {
        const low = view.getUint32(i * 8 + (littleEndian ? 0 : 4), littleEndian);
        const high = view.getInt32(i * 8 + (littleEndian ? 4 : 0), littleEndian);
        out[i] = high * 2 ** 32 + low;
      }
      break;
    case 'int32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, littleEndian);
      break;
    case 'uint8':
      out.set(bytes.subarray(0, count));
      break;
    case 'bool':
      for (let i = 0; i < count; i++) out[i] = bytes[i] === 0 ? 0 : 1;
      break;
  }
  return out;
}

/** The bytes of float32 values, little endian, as safetensors stores them: a view where the platform is little endian. */
export function littleEndianBytes(values: Float32Array): Uint8Array {
  if (PLATFORM_LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}
