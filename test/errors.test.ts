/**
 * Bad input gets a ConfigError before anything is built, naming the field, the rule and the value.
 */
import { describe, expect, it } from 'vitest';
import { alexnet, ConfigError, createModel, listModels, mobilenetV2, resnet34, tf, vgg16 } from '../src/index.js';

function errorOf(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the model was built');
}

describe('configuration errors', () => {
  it('names the field, the rule and the value', () => {
    const error = errorOf(() => resnet34({ numClasses: 0 }));
    expect(error.message).toBe('numClasses: must be a positive integer, received 0');
    expect(error.field).toBe('numClasses');
    expect(errorOf(() => resnet34({ numClasses: 2.5 })).message).toBe('numClasses: must be a positive integer, received 2.5');
    expect(errorOf(() => resnet34({ dropout: 1.5 })).message).toBe('dropout: must be a number in [0, 1), received 1.5');
    expect(errorOf(() => mobilenetV2({ alpha: -1 })).message).toMatch(/^alpha: .*received -1$/);
    expect(errorOf(() => resnet34({ inputShape: [224, 224] as never })).message).toMatch(/^inputShape: .*received \[224,224\]$/);
  });

  it('rejects an unknown option, suggesting the one meant', () => {
    const error = errorOf(() => resnet34({ numClases: 10 } as never));
    expect(error.field).toBe('numClases');
    expect(error.message).toMatch(/^numClases: unknown option; did you mean 'numClasses'\? known options are: numClasses, inputShape, /);
  });

  it('rejects pooling with the top on', () => {
    expect(errorOf(() => vgg16({ pooling: 'avg' })).message).toBe('pooling: only applies when includeTop is false, received "avg"');
  });

  it('rejects an input too small before allocating any weight, naming the layer and the arithmetic', () => {
    const before = tf.memory().numTensors;
    const error = errorOf(() => vgg16({ inputShape: [16, 16, 3] }));
    expect(tf.memory().numTensors).toBe(before);
    expect(error.field).toBe('inputShape');
    // 16 -> 8 -> 4 -> 2 -> 1 after four 2x2 pools; the fifth gives floor((1 - 2) / 2) + 1 = 0.
    expect(error.message).toMatch(/^inputShape: too small for vgg16: at layer 'block5_pool' .*floor\(\(1 \+ 0 - 2\) \/ 2\) \+ 1 = 0/);
    expect(error.message).toMatch(/the smallest square input that works is 32x32, received \[16, 16, 3\]$/);
  });

  it('rejects alexnet below 63x63, naming the layer where the map runs out', () => {
    // torchvision variant: 62 -> conv1 (11/4, pad 2) 14 -> pool1 6 -> conv2 6 -> pool2 2 -> conv3-5 2 -> pool5 0.
    const error = errorOf(() => alexnet({ inputShape: [62, 62, 3] }));
    expect(error.field).toBe('inputShape');
    expect(error.message).toMatch(/^inputShape: too small for alexnet: at layer '\w+'/);
    expect(errorOf(() => alexnet({ variant: 'paper', inputShape: [64, 64, 3] })).message).toMatch(/at layer 'pool5'/);
  });

  it('reports every problem of one options object together, each with its field, rule and value', () => {
    const error = errorOf(() => resnet34({ numClasses: 0, dropout: 2, numClases: 3 } as never));
    expect(error.issues.map((issue) => issue.field)).toEqual(['numClasses', 'dropout', 'numClases']);
    expect(error.issues[0]).toMatchObject({ rule: 'must be a positive integer', received: 0 });
    expect(error.issues[1]).toMatchObject({ rule: 'must be a number in [0, 1)', received: 2 });
    expect(error.issues[2].unknownOption).toBe(true);
    expect(error.message.split('\n')).toEqual([
      'numClasses: must be a positive integer, received 0',
      'dropout: must be a number in [0, 1), received 2',
      expect.stringMatching(/^numClases: unknown option; did you mean 'numClasses'\?/),
    ]);
  });

  it('lists the known models for an unknown name', async () => {
    await expect(createModel('resnet35' as never)).rejects.toThrow(ConfigError);
    await expect(createModel('resnet35' as never)).rejects.toThrow(
      new RegExp(`unknown model "resnet35"; did you mean 'resnet\\d+'\\? known models are: ${listModels().join(', ')}`),
    );
  });
});
