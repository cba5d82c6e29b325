/** Number and shape formatting shared by the summary, the CLI and the benchmark. */

/**
 * An integer with thousands separators, always `,` whatever the locale (so tables and tests read
 * the same everywhere).
 *
 * @category Analysis
 */
export function withSeparators(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole, fraction] = String(Math.abs(value)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

const UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/**
 * A count in decimal units with two decimals, as model tables quote them.
 *
 * @category Analysis
 */
export function compact(value: number): string {
  for (const [size, unit] of UNITS) {
    if (Math.abs(value) >= size) return `${(value / size).toFixed(2)} ${unit}`;
  }
  return String(value);
}

/** Bytes in decimal megabytes (1 MB = 10^6 bytes, as torchinfo reports them), kilobytes below 0.01 MB. */
export function megabytes(bytes: number): string {
  return bytes > 0 && bytes < 1e4 ? `${(bytes / 1e3).toFixed(2)} KB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

/** A fraction as a percentage with one decimal; '-' for zero, '<0.1%' for a sliver. */
export function percent(fraction: number): string {
  if (fraction === 0 || !Number.isFinite(fraction)) return '-';
  if (fraction < 0.0005) return '<0.1%';
  return `${(100 * fraction).toFixed(1)}%`;
}

/** A per-example shape as `112x112x64`; an open size as `?`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return shape.length === 0 ? 'scalar' : shape.map((size) => (size === null ? '?' : String(size))).join('x');
}

/**
 * Parses `224x224x3` (or `224,224,3`, `224X224X3`) into numbers; undefined if it is not that form.
 */
export function parseShape(text: string): number[] | undefined {
  const parts = text.trim().split(/\s*[xX,×]\s*/);
  if (parts.some((part) => !/^\d+$/.test(part))) return undefined;
  return parts.map(Number);
}
