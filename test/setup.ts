import { beforeAll } from 'vitest';
import { useBackend } from '../src/backend.js';
import { skipNodeBackendAdvice } from '../src/tf.js';

// No TF.js banner from the suite, also for tensors a test file makes before beforeAll.
skipNodeBackendAdvice();

// Every test file runs on the best available backend, or on the one CNN_ZOO_BACKEND forces.
beforeAll(async () => {
  await useBackend();
});
