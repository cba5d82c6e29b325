import { describe, expect, it } from 'vitest';
import { convOutputSize, convTransposeOutputSize, paddingAmounts, poolOutputSize } from '../src/conv-arithmetic.js';

// Figures from the formula out = floor((n + 2p - d(k-1) - 1) / s) + 1, worked by hand.
describe('conv arithmetic', () => {
  it('computes explicit and valid paddings', () => {
    expect(convOutputSize({ size: 224, kernel: 7, stride: 2, padding: 3 })).toBe(112); // (224+6-6-1)/2+1 = 112
    expect(convOutputSize({ size: 227, kernel: 11, stride: 4 })).toBe(55); // (227-11)/4+1
    expect(convOutputSize({ size: 10, kernel: 3, dilation: 2 })).toBe(6); // 10-4-1+1
    expect(convOutputSize({ size: 5, kernel: 3, stride: 2, padding: [0, 1] })).toBe(2); // floor((5+1-3)/2)+1
  });

  it("computes TF's 'same' padding: ceil(n / s), odd pixel at the end", () => {
    expect(convOutputSize({ size: 224, kernel: 7, stride: 2, padding: 'same' })).toBe(112);
    // total = (112-1)*2 + 7 - 224 = 5: 2 before, 3 after (PyTorch would pad 3 and 3)
    expect(paddingAmounts({ size: 224, kernel: 7, stride: 2, padding: 'same' })).toEqual([2, 3]);
    expect(paddingAmounts({ size: 56, kernel: 3, stride: 2, padding: 'same' })).toEqual([0, 1]);
    expect(paddingAmounts({ size: 56, kernel: 3, stride: 1, padding: 'same' })).toEqual([1, 1]);
    expect(convOutputSize({ size: 113, kernel: 3, stride: 2, padding: 'same' })).toBe(57);
  });

  it("computes PyTorch's ceil-mode pooling", () => {
    expect(poolOutputSize({ size: 112, kernel: 3, stride: 2 })).toBe(55);
    expect(poolOutputSize({ size: 112, kernel: 3, stride: 2, ceilMode: true })).toBe(56); // ceil(109/2)+1
    expect(poolOutputSize({ size: 14, kernel: 2, stride: 2, ceilMode: true })).toBe(7);
    expect(poolOutputSize({ size: 113, kernel: 3, stride: 2, ceilMode: true })).toBe(56); // exact division
    // A last window that would start in the padding is dropped: n=5, k=2, s=2, p=1 -> ceil(5/2)+1 = 4, but
    // window 4 would start at 6 >= 5 + 1, so 3.
    expect(poolOutputSize({ size: 5, kernel: 2, stride: 2, padding: 1, ceilMode: true })).toBe(3);
  });

  it('computes transposed convolutions', () => {
    expect(convTransposeOutputSize({ size: 7, kernel: 3, stride: 2, padding: 'same' })).toBe(14);
    expect(convTransposeOutputSize({ size: 7, kernel: 3, stride: 2, padding: 'valid' })).toBe(15); // 7*2 + 3-2
    expect(convTransposeOutputSize({ size: 7, kernel: 3, stride: 2, padding: 1, outputPadding: 1 })).toBe(14); // 12-2+3+1
  });
});
