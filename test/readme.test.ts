/** The README's tables are generated from the code; this fails when one is out of date. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelsTable, tableIn, weightsTable } from '../scripts/readme-tables.js';
import { listModels } from '../src/index.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('has the models table the code generates (run `npm run readme:tables` to update it)', () => {
    expect(tableIn(readme, 'models')).toBe(modelsTable());
  });

  it('has the weights table the code generates, a row per official file with the command that imports it', () => {
    expect(tableIn(readme, 'weights')).toBe(weightsTable());
    for (const file of ['resnet34-b627a593.pth', 'vgg16_weights_tf_dim_ordering_tf_kernels.h5', 'mobilenet_v2-b0353104.pth', 'googlenet-1378be20.pth']) {
      expect(tableIn(readme, 'weights')).toContain(`npx cnn-zoo import ${file} --out weights/`);
    }
  });

  it('lists every registered model, with the published ResNet-34 figures', () => {
    for (const name of listModels()) expect(readme).toContain(`| \`${name}\` |`);
    expect(readme).toMatch(/\| `resnet34` \| 21,797,672 \| 3\.66 G \| 224x224x3 \|/);
  });

  it('shows the two commands that CI runs', () => {
    const ci = readFileSync('.ci/run', 'utf8');
    for (const command of ['npm ci && npx cnn-zoo summary resnet34', 'npm test']) {
      expect(readme).toContain(command);
      expect(ci).toContain(command);
    }
  });
});
