import { useBackend } from '../src/backend.js';

/** Announces the backend the suite runs on (each test file activates it again in its worker). */
export default async function announceBackend(): Promise<void> {
  const info = await useBackend();
  console.log(`cnn-zoo tests run on backend '${info.name}' (${info.forced ? 'forced' : 'picked'}: ${info.reason})`);
}
