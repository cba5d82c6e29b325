import { beforeAll } from 'vitest';
import { useBackend } from '../src/backend.js';

// Every test file runs on the best available backend, or on the one CNN_ZOO_BACKEND forces.
beforeAll(async () => {
  await useBackend();
});
