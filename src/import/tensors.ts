/**
 * What every weight-file reader returns and every mapping consumes: named tensors, as float32,
 * in the source's own layout (PyTorch's OIHW kernels, Keras's HWIO ones).
 */

/** The element types the readers accept; every one is widened to float32 on reading. */
export type SourceDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** One tensor of a weight file. */
export interface SourceTensor {
  /** The tensor's shape in the source's layout (`[out, in, kh, kw]` for a PyTorch conv kernel). */
  shape: number[];
  /** Its values, row-major, widened to float32. */
  data: Float32Array;
  /** The element type in the file, before widening. */
  dtype: SourceDType;
}

/** A file's tensors by their names in the file (`layer1.0.conv1.weight`, `block1_conv1/kernel`), in the file's order. */
export type TensorSet = Map<string, SourceTensor>;
