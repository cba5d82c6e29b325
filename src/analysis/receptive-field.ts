/**
 * Receptive fields, the quantity CNNs are designed by: for each layer, how many input pixels one
 * of its outputs sees (`size`) and how many input pixels apart two neighbouring outputs are
 * (`jump`, the product of the strides so far). Per spatial axis.
 *
 * Through a layer with kernel k, stride s and dilation d (Araujo et al., "Computing Receptive
 * Fields of Convolutional Neural Networks", Distill 2019):
 *   size_out = size_in + d(k - 1) * jump_in,   jump_out = jump_in * s.
 * Padding moves the field but does not change its size. Where branches meet (add, concatenate)
 * the field is the largest of theirs. After global pooling or a flatten every output sees the
 * whole input map: `global` is set and the size is the extent of the last map. Sizes are not
 * clipped to the image, as the usual tables report them (VGG-16's pool5: 212 on a 224 input).
 */
import type { SpatialWindow } from './layer-costs.js';

/**
 * The receptive field of a layer's output, per spatial axis: how many input pixels one output sees
 * (`size`) and how many input pixels apart two neighbouring outputs are (`jump`). Computed as in
 * Araujo, Norris, Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019
 * (https://doi.org/10.23915/distill.00021): through a layer of kernel k, stride s, dilation d,
 * size grows by d(k - 1)·jump and jump is multiplied by s. Sizes are not clipped to the image.
 *
 * @category Analysis
 */
export interface ReceptiveField {
  /** Input pixels seen by one output, per spatial axis. */
  size: number[];
  /** Input pixels between neighbouring outputs (product of strides), per spatial axis. */
  jump: number[];
  /** Every output sees the whole input map (after global pooling or flatten). */
  global: boolean;
}

/** The field of a model's input of per-example `shape` (channels last): one pixel, or none for a vector input. */
export function inputField(shape: readonly (number | null)[]): ReceptiveField | null {
  const spatialRank = shape.length - 1;
  if (spatialRank < 1) return null;
  return { size: Array.from({ length: spatialRank }, () => 1), jump: Array.from({ length: spatialRank }, () => 1), global: false };
}

/** Where branches meet: the largest field, axis by axis. */
export function mergeFields(fields: (ReceptiveField | null | undefined)[]): ReceptiveField | null {
  const known = fields.filter((field): field is ReceptiveField => !!field);
  if (known.length === 0) return null;
  const rank = known[0].size.length;
  if (known.some((field) => field.size.length !== rank)) return null;
  return {
    size: known[0].size.map((_, axis) => Math.max(...known.map((field) => field.size[axis]))),
    jump: known[0].jump.map((_, axis) => Math.max(...known.map((field) => field.jump[axis]))),
    global: known.some((field) => field.global),
  };
}

/**
 * The field after a layer of `window`, given the field of its input and the input's per-example
 * shape (to size a global layer). `null` where it cannot be told (axes that do not line up).
 */
export function applyWindow(field: ReceptiveField | null, window: SpatialWindow, inputShape: readonly number[]): ReceptiveField | null {
  if (!field || field.global || window.kind === 'pointwise') return field;
  const rank = field.size.length;
  if (window.kind === 'global') {
    const spatial = inputShape.slice(0, -1);
    if (spatial.length !== rank) return { ...field, global: true };
    return { size: field.size.map((size, axis) => size + (spatial[axis] - 1) * field.jump[axis]), jump: field.jump, global: true };
  }
  if (window.kernel.length !== rank) return null;
  if (window.kind === 'transposed') {
    // An output pixel gathers ceil(k / s) neighbouring input pixels; the grid gets s times finer.
    return {
      size: field.size.map((size, axis) => size + (Math.ceil(window.kernel[axis] / window.stride[axis]) - 1) * field.jump[axis]),
      jump: field.jump.map((jump, axis) => jump / window.stride[axis]),
      global: false,
    };
  }
  return {
    size: field.size.map((size, axis) => size + window.dilation[axis] * (window.kernel[axis] - 1) * field.jump[axis]),
    jump: field.jump.map((jump, axis) => jump * window.stride[axis]),
    global: false,
  };
}
