/**
 * A training curve as a small standalone SVG: one line per series (loss, accuracy...) against the
 * epoch, each series scaled to its own range and labelled with its first and last values.
 */

/**
 * One named series of per-epoch values, for {@link trainingCurveSvg}.
 *
 * @category Training
 */
export interface CurveSeries {
  /** The legend's label (`loss`, `val_acc`). */
  name: string;
  /** One value per epoch, epoch 1 first. */
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 48, right: 160, top: 32, bottom: 40 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Draws the series against epochs 1..n. Each series gets its own vertical scale (loss and accuracy
 * share no unit), stated in the legend as its range.
 *
 * @category Training
 */
export function trainingCurveSvg(title: string, series: CurveSeries[]): string {
  const epochs = Math.max(...series.map((s) => s.values.length));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (epoch: number) => MARGIN.left + (epochs <= 1 ? 0 : ((epoch - 1) / (epochs - 1)) * plotWidth);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="20" font-size="14">${escapeXml(title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle">epoch (1-${epochs})</text>`,
  ];
  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const low = Math.min(...s.values);
    const high = Math.max(...s.values);
    const y = (value: number) => MARGIN.top + (high === low ? plotHeight / 2 : (1 - (value - low) / (high - low)) * plotHeight);
    const points = s.values.map((value, i) => `${x(i + 1).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
    const legendY = MARGIN.top + 16 + index * 36;
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${WIDTH - MARGIN.right + 12}" y="${legendY}" fill="${colour}">${escapeXml(s.name)}</text>`,
      `<text x="${WIDTH - MARGIN.right + 12}" y="${legendY + 14}" fill="#555">${s.values[0].toFixed(4)} to ${s.values.at(-1)!.toFixed(4)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
