/** The two BatchNormalization conventions the zoo reproduces, in Keras's momentum convention (the weight of the old statistic). */

/**
 * PyTorch's `nn.BatchNorm2d` defaults: epsilon 1e-5, momentum 0.1 (0.9 here).
 *
 * @category Shared blocks
 */
export const torchBatchNorm = { epsilon: 1e-5, momentum: 0.9 } as const;

/**
 * Keras's `BatchNormalization` defaults: epsilon 1e-3, momentum 0.99.
 *
 * @category Shared blocks
 */
export const kerasBatchNorm = { epsilon: 1e-3, momentum: 0.99 } as const;
