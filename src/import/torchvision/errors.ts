import { WeightsError } from '../../weights/errors.js';

/**
 * A tensor named with its shape, as an error lists it.
 *
 * @category Import
 */
export interface NamedShape {
  /** The state_dict key (`layer1.0.conv1.weight`). */
  name: string;
  /** Its shape in torchvision's layout. */
  shape: number[];
}

/**
 * A key the model needs that the tensors lack.
 *
 * @category Import
 */
export interface MissingTensor extends NamedShape {
  /** The zoo weight it would fill. */
  zoo: string;
}

/**
 * A key on both sides that does not fit: another shape, a non-float dtype, or data of the wrong length.
 *
 * @category Import
 */
export interface MismatchedTensor {
  /** The state_dict key. */
  name: string;
  /** Its shape in the tensors. */
  found: number[];
  /** The shape the model needs (torchvision's layout). */
  expected: number[];
  /** The zoo weight it would fill. */
  zoo: string;
  /** `'shape'`, or what else is wrong (`dtype int64, not a float`). */
  why: string;
}

/**
 * What did not fit, side by side.
 *
 * @category Import
 */
export interface MappingMismatch {
  /** Keys the model needs that the tensors lack. */
  missing: MissingTensor[];
  /** Tensors nothing in the model takes and no rule skips. */
  extra: NamedShape[];
  /** Keys present on both sides that do not fit. */
  mismatched: MismatchedTensor[];
  /** Zoo weights the family's rule has no torchvision key for (with the reason). */
  unmapped: string[];
}

/**
 * A torchvision state_dict that does not fit a zoo model: a tensor missing, one too many, one in
 * another shape (a resnet50 file onto resnet34, mobilenet_v2 width 0.5 onto 1.0). One error for the
 * whole set; the message lists what differs on each side with shapes, and `expected` / `found` hold
 * both complete lists. Nothing was assigned to the model.
 *
 * A {@link WeightsError}, so code that catches weight problems catches this one too; `file` is the
 * file the tensors came from (as the caller named it).
 *
 * @category Import
 */
export class TorchvisionMappingError extends WeightsError {
  /** The rule that was applied (`resnet`). */
  readonly family: string;
  /** Every key the model needs, with the shape it needs, in the model's order. */
  readonly expected: NamedShape[];
  /** Every tensor given, with its shape, in the file's order. */
  readonly found: NamedShape[];
  /** Keys the model needs that the tensors lack. */
  readonly missing: MissingTensor[];
  /** Tensors the model does not take. */
  readonly extra: NamedShape[];
  /** Keys on both sides that differ in shape, dtype or length. */
  readonly mismatched: MismatchedTensor[];
  /** Zoo weights the rule has no key for. */
  readonly unmapped: string[];

  constructor(file: string, message: string, details: { family: string; expected: NamedShape[]; found: NamedShape[] } & MappingMismatch) {
    super(file, message, { weight: details.missing[0]?.zoo ?? details.mismatched[0]?.zoo ?? details.unmapped[0] });
    this.name = 'TorchvisionMappingError';
    this.family = details.family;
    this.expected = details.expected;
    this.found = details.found;
    this.missing = details.missing;
    this.extra = details.extra;
    this.mismatched = details.mismatched;
    this.unmapped = details.unmapped;
  }
}
