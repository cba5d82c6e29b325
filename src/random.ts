/**
 * The random numbers behind weight initialisation: a small, fast PRNG (xoshiro128**, Blackman &
 * Vigna) and the distributions the initialisers need, written to fill large Float32Arrays in
 * tight loops. TF.js's own initialisers draw one number at a time through seedrandom; for VGG-16's
 * 138M weights that is the difference between ~10 s and well under one.
 */

/** splitmix32: turns a seed into well-mixed 32-bit states. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over `text`, mixed with `seed`: one independent stream per weight name. */
export function hashSeed(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** xoshiro128**: 128 bits of state, four xors and shifts a number. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const next = splitmix32(seed);
    this.a = next() | 1; // the all-zero state is the one state to avoid
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** Fills `out[start, end)` with `scale * u + offset`, u uniform in [0, 1) with 24 random bits. */
  fillUniform(out: Float32Array, scale = 1, offset = 0, start = 0, end = out.length): void {
    let { a, b, c, d } = this;
    const step = scale * 5.960464477539063e-8; // 2^-24
    for (let i = start; i < end; i++) {
      const m = Math.imul(b, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9);
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      out[i] = (result >>> 8) * step + offset;
    }
    Object.assign(this, { a, b, c, d });
  }
}

/** Uniforms are drawn in chunks of this many: small enough to stay in cache, no big temporaries. */
const CHUNK = 1 << 14;

/**
 * Fills `out` with `std` times standard normals by Marsaglia's polar method (one log and one
 * square root per pair, no trigonometry). `truncate` redraws values beyond ±2 (before scaling),
 * as TF's and PyTorch's truncated normals do.
 */
export function fillNormal(out: Float32Array, rng: Xoshiro128, std: number, truncate: boolean): void {
  const uniforms = new Float32Array(CHUNK);
  let u = CHUNK;
  for (let i = 0; i < out.length; ) {
    if (u === CHUNK) {
      rng.fillUniform(uniforms, 2, -1);
      u = 0;
    }
    const x = uniforms[u++];
    const y = uniforms[u++];
    const s = x * x + y * y;
    if (s >= 1 || s === 0) continue;
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    const z0 = x * factor;
    const z1 = y * factor;
    if (!truncate || (z0 <= 2 && z0 >= -2)) out[i++] = z0 * std;
    if (i < out.length && (!truncate || (z1 <= 2 && z1 >= -2))) out[i++] = z1 * std;
  }
}
