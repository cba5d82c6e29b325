/**
 * Unpickling a torch.save data.pkl with an allow-list. A pickle is a program: its GLOBAL opcodes
 * name any Python callable and its REDUCE opcodes call them, so a checkpoint can run
 * `os.system`. Here nothing from the file is ever run: pickleparser interprets the opcodes, and
 * every global resolves to one of the few functions below, written for what a state_dict holds
 * (ordered dicts, tensors rebuilt from storages); any other global stops the reading with its
 * name. Tensors come out as descriptions (which storage, offset, shape, strides); their data is
 * read from the archive afterwards, only for the tensors that are wanted.
 */
import { Parser } from 'pickleparser';
import type { SourceDType } from '../tensors.js';

/** A storage of the archive (`<prefix>/data/<key>`), as data.pkl's persistent ids describe it. */
export class PickledStorage {
  constructor(
    /** The entry's name under `<prefix>/data/`. */
    readonly key: string,
    /** Its element type, from its class (`torch.HalfStorage` holds float16). */
    readonly dtype: SourceDType,
    /** Its number of elements. */
    readonly numel: number,
  ) {
    Object.freeze(this);
  }
}

/** A tensor as data.pkl describes it: a strided view of a storage. */
export class PickledTensor {
  constructor(
    readonly storage: PickledStorage,
    /** The storage element of the tensor's first element. */
    readonly offset: number,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
  ) {
    // Frozen, so that a BUILD opcode aimed at it cannot rewrite its fields.
    Object.freeze(this);
  }
}

/** The storage classes torch.save names, by the element type they hold (SourceDType's types). */
const STORAGE_CLASSES: Readonly<Record<string, SourceDType>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** What the allow-list admits, for the messages. */
const ALLOWED = `collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch.{${Object.keys(STORAGE_CLASSES)
  .map((name) => name.replace(/Storage$/, ''))
  .join(',')}}Storage`;

type Callable = (...args: unknown[]) => unknown;

/** A dict as the pickle builds it; an OrderedDict accepts the one attribute a state_dict carries. */
class PickledOrderedDict extends Map<unknown, unknown> {
  // pickleparser calls this for BUILD: Python's OrderedDict.__reduce__ passes the instance's
  // attributes, and a state_dict's only one is `_metadata` (module versions), which is not needed.
  __setstate__(state: unknown): void {
    if (!(state instanceof Map)) throw new Error("refuses a collections.OrderedDict's state that is not a dict of attributes");
    const other = [...state.keys()].find((name) => name !== '_metadata');
    if (other !== undefined) throw new Error(`refuses the attribute ${JSON.stringify(other)} of a collections.OrderedDict: a state_dict only carries '_metadata'`);
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isIndex);
}

function orderedDict(...args: unknown[]): PickledOrderedDict {
  if (args.length > 0) throw new Error('collections.OrderedDict is called with arguments; torch.save calls it with none');
  return new PickledOrderedDict();
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
function rebuildTensor(...args: unknown[]): PickledTensor {
  const [storage, offset, shape, strides] = args;
  if (!(storage instanceof PickledStorage) || !isIndex(offset) || !isIndexList(shape) || !isIndexList(strides) || shape.length !== strides.length) {
    throw new Error('torch._utils._rebuild_tensor_v2 is called with arguments that are not (storage, offset, size, stride)');
  }
  return new PickledTensor(storage, offset, Object.freeze([...shape]), Object.freeze([...strides]));
}

/** torch._utils._rebuild_parameter(data, requires_grad, backward_hooks): a Parameter's tensor. */
function rebuildParameter(...args: unknown[]): PickledTensor {
  if (!(args[0] instanceof PickledTensor)) throw new Error('torch._utils._rebuild_parameter is called without a tensor');
  return args[0];
}

/** A storage class only names an element type in a persistent id; it is never called. */
function storageClass(name: string): Callable {
  return () => {
    throw new Error(`torch.${name} is called; torch.save only names it`);
  };
}

const STORAGE_TYPE_OF = new Map<unknown, SourceDType>();
const GLOBALS = new Map<string, Callable>([
  ['collections.OrderedDict', orderedDict],
  ['torch._utils._rebuild_tensor_v2', rebuildTensor],
  ['torch._utils._rebuild_parameter', rebuildParameter],
]);
for (const [name, dtype] of Object.entries(STORAGE_CLASSES)) {
  const marker = storageClass(name);
  STORAGE_TYPE_OF.set(marker, dtype);
  GLOBALS.set(`torch.${name}`, marker);
}

/** A global the allow-list refuses: its error names it. */
export class ForbiddenGlobalError extends Error {
  constructor(readonly global: string) {
    super(
      /^torch\.\w+Storage$/.test(global)
        ? `holds tensors of type ${global}, which cannot be read (readable: ${Object.keys(STORAGE_CLASSES).map((name) => `torch.${name}`).join(', ')})`
        : `refuses to unpickle the global '${global}': only what a state_dict holds is allowed (${ALLOWED}), and nothing from the file is run. ` +
            "If this is a training checkpoint, save its state_dict alone in Python: torch.save(torch.load(f, weights_only=False)['model'], 'weights.pth')",
    );
    this.name = 'ForbiddenGlobalError';
  }
}

/**
 * Interprets a torch.save data.pkl and returns the object it describes: Maps (dicts, ordered
 * dicts), arrays (lists, tuples), numbers, strings, booleans, null, and {@link PickledTensor}s.
 * Throws {@link ForbiddenGlobalError} for a global outside the allow-list, an Error for anything
 * else malformed.
 */
export function unpickleCheckpoint(pickle: Uint8Array): unknown {
  const storages = new Map<string, PickledStorage>();
  const parser = new Parser({
    unpicklingTypeOfDictionary: 'Map',
    nameResolver: {
      resolve(module: string, name: string) {
        const found = GLOBALS.get(`${module}.${name}`);
        if (!found) throw new ForbiddenGlobalError(`${module}.${name}`);
        return found;
      },
    },
    persistentResolver: {
      // torch.save's persistent id of a storage: ('storage', storage class, key, location, number of elements).
      resolve(id: unknown) {
        const [kind, type, key, , numel] = Array.isArray(id) ? id : [];
        const dtype = STORAGE_TYPE_OF.get(type);
        if (kind !== 'storage' || dtype === undefined || typeof key !== 'string' || !isIndex(numel)) {
          throw new Error(`a persistent id is not ('storage', storage class, key, location, size): ${String(kind)}`);
        }
        const known = storages.get(key);
        if (known && (known.dtype !== dtype || known.numel !== numel)) throw new Error(`storage ${key} is described twice, differently`);
        const storage = known ?? new PickledStorage(key, dtype, numel);
        storages.set(key, storage);
        return storage;
      },
    },
  });
  return parser.parse(pickle);
}
