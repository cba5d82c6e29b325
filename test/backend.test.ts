import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV_VAR } from '../src/backend.js';
import { BackendError, backendInfo, tf, useBackend } from '../src/index.js';

const require = createRequire(import.meta.url);
function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('useBackend', () => {
  const saved = process.env[BACKEND_ENV_VAR];
  afterEach(async () => {
    if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = saved;
    await useBackend();
  });

  it('picks the fastest available backend and says why', async () => {
    delete process.env[BACKEND_ENV_VAR];
    const info = await useBackend();
    const expected = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node') ? ['tensorflow-gpu', 'tensorflow'] : ['wasm'];
    expect(expected).toContain(info.name);
    expect(info.forced).toBe(false);
    expect(info.reason).toMatch(/fastest available/);
    expect(backendInfo()).toEqual(info);
    expect(tf.getBackend()).toBe(info.tfBackend);
  });

  it('forces a backend by name', async () => {
    const info = await useBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', forced: true });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('forces a backend from CNN_ZOO_BACKEND', async () => {
    process.env[BACKEND_ENV_VAR] = 'cpu';
    const info = await useBackend();
    expect(info).toMatchObject({ name: 'cpu', forced: true });
    expect(info.reason).toContain(BACKEND_ENV_VAR);
  });

  it('rejects an unknown name in CNN_ZOO_BACKEND, naming the variable and the choices', async () => {
    process.env[BACKEND_ENV_VAR] = 'gpu';
    await expect(useBackend()).rejects.toThrow(BackendError);
    await expect(useBackend()).rejects.toThrow(/CNN_ZOO_BACKEND: must be one of tensorflow-gpu, tensorflow, wasm, cpu, received "gpu"/);
  });

  it.runIf(!installed('@tensorflow/tfjs-node'))('never falls back when a missing backend is asked for, and says how to install it', async () => {
    const before = tf.getBackend();
    await expect(useBackend('tensorflow')).rejects.toThrow(/backend 'tensorflow' is not available: .*npm install @tensorflow\/tfjs-node/);
    expect(tf.getBackend()).toBe(before);
  });

  it.runIf(!installed('@tensorflow/tfjs-node-gpu'))('explains what the GPU backend needs', async () => {
    await expect(useBackend('tensorflow-gpu')).rejects.toThrow(/npm install @tensorflow\/tfjs-node-gpu.*CUDA 11\.2 and cuDNN 8\.1/);
  });
});
