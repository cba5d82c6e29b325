/** The README's models table is generated from the code; this fails when it is out of date. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelsTable, TABLE_END, TABLE_START } from '../scripts/readme-models-table.js';
import { listModels } from '../src/index.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('has the models table the code generates (run `npm run readme:models` to update it)', () => {
    const between = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
    expect(between).toBe(modelsTable());
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
