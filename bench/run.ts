/**
 * `npm run bench`: the speed figures the issues ask for, measured in one run so that ratios are
 * comparable on a noisy machine.
 */
import { mobilenetV2, resnet34 } from '../src/index.js';
import { benchBuildTimes } from './build-times.js';
import { benchOnnx } from './onnx.js';
import { benchSummary } from './summary.js';
import { benchWasmTraining } from './wasm-training.js';

await benchBuildTimes();
await benchSummary();

console.log('\n## Training on wasm: trainOnBatch against a forward pass of the same batch (target <= 4x), LeNet-5 wasm vs cpu (target >= 20x)\n');
// Batch 4 at 224x224: what the targets were set at; MobileNet V2 keeps about 255 MB per
// image for backprop and wasm's heap stops at 4 GiB (bench/wasm-training.ts has the figures).
await benchWasmTraining({
  models: [
    { name: 'resnet34', factory: () => resnet34({ seed: 1 }) },
    { name: 'mobilenetV2', factory: () => mobilenetV2({ seed: 1 }) },
  ],
  batch: 4,
});

// ONNX Runtime against tfjs-wasm and against torchvision's own ONNX export (bench/onnx.ts).
await benchOnnx();
