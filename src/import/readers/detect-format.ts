/**
 * Telling weight files apart by their first bytes, never by their extension (a `.pth` may be a
 * legacy pickle, a `.bin` a safetensors file): a zip (torch.save since PyTorch 1.6, or a `.keras`
 * archive; which one, the zip's entries tell), HDF5, or safetensors. The formats that cannot be read
 * (PyTorch's legacy format, a bare pickle) are recognised to say so.
 */
import type { FileHandle } from 'node:fs/promises';
import { WeightsError } from '../../weights/errors.js';
import { readRange } from './read-range.js';

/** The container a weight file is, from its first bytes. */
export type WeightContainer = 'zip' | 'hdf5' | 'safetensors';

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4", a local file header
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06]; // "PK\5\6", an end of central directory with no entries before
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // "\x89HDF\r\n\x1a\n"
/** A pickle's PROTO opcode, followed by the protocol (2 to 5). */
const PICKLE_PROTO = 0x80;
/** The legacy torch.save format starts with a pickled magic number: LONG1 of 10 bytes, 0x1950a86a20f9469cfc6c. */
const LEGACY_TORCH_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const OPENING_BRACE = 0x7b;

function startsWith(bytes: Uint8Array, prefix: number[], at = 0): boolean {
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

/** The bytes, for a message: hex, and the printable ones as text. */
function shown(bytes: Uint8Array): string {
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  const text = [...bytes].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
  return `${hex} (${JSON.stringify(text)})`;
}

/** Which container the file in `handle` is; a file that is none of them is a {@link WeightsError} saying what it found. */
export async function detectContainer(file: string, handle: FileHandle): Promise<WeightContainer> {
  const head = new Uint8Array(16);
  const length = await readRange(handle, 0, head);
  const bytes = head.subarray(0, length);
  if (length === 0) throw new WeightsError(file, 'is empty');
  if (startsWith(bytes, ZIP_MAGIC) || startsWith(bytes, EMPTY_ZIP_MAGIC)) return 'zip';
  if (startsWith(bytes, HDF5_MAGIC)) return 'hdf5';
  // A safetensors header is a JSON object, so byte 8, after the header length, is '{'.
  if (bytes[8] === OPENING_BRACE) return 'safetensors';
  if (bytes[0] === PICKLE_PROTO && bytes[1] >= 2 && bytes[1] <= 5) {
    if (startsWith(bytes, LEGACY_TORCH_MAGIC, 2)) {
      throw new WeightsError(
        file,
        "is in PyTorch's legacy format (torch.save before PyTorch 1.6, or with _use_new_zipfile_serialization=False), which is not read here: " +
          "save it again in the zip format with PyTorch >= 1.6, in Python: torch.save(torch.load('old.pth'), 'new.pth')",
      );
    }
    throw new WeightsError(file, `is a bare Python pickle (protocol ${bytes[1]}), not a torch.save zip archive: save its tensors with torch.save (PyTorch >= 1.6) or as safetensors`);
  }
  throw new WeightsError(
    file,
    'is not a weight file this reader knows: expected a zip (PyTorch .pth/.pt, Keras .keras; starts with "PK\\x03\\x04"), ' +
      'HDF5 (Keras .h5; starts with "\\x89HDF\\r\\n\\x1a\\n") or safetensors (an 8-byte header length, then "{"); ' +
      `found ${shown(bytes)}`,
  );
}
