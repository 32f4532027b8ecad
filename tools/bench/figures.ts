/**
 * How `npm run bench` states a figure: the median of its runs with the smallest and
 * largest, and for a speed target, the limit and whether the median meets it. The
 * median is what is judged; min–max shows how far the machine's load spread the runs.
 */
export interface Figure {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** The median (mean of the middle two for an even count), min and max of `values`. */
export function figure(values: readonly number[]): Figure {
  if (values.length === 0) throw new Error('a figure needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** A unit as written after a number: `2.5x`, but `0.4 s`. */
const afterNumber = (unit: string): string => (unit === 'x' ? 'x' : ` ${unit}`);

/** `0.412 s (min 0.401, max 0.433, n=5)`: `digits` decimals, `unit` after the median. */
export function showFigure(f: Figure, digits: number, unit: string): string {
  return `${f.median.toFixed(digits)}${afterNumber(unit)} (min ${f.min.toFixed(digits)}, max ${f.max.toFixed(digits)}, n=${f.n})`;
}

/** One speed target: whether its median is at most `limit`, and the figure it was judged on. */
export interface Target {
  readonly label: string;
  readonly limit: number;
  readonly figure: Figure;
  readonly digits: number;
  readonly unit: string;
  /** Which measurement the figure comes from, when the label does not say. */
  readonly note?: string;
}

export const met = (t: Target): boolean => t.figure.median <= t.limit;

/** `  per-hostname cost (4 -> 200) <= 1 ms   NOT met: median 2.46 ms (min 2.30, max 2.71, n=5)`. */
export function showTarget(t: Target): string {
  const head = `${t.label} <= ${t.limit}${afterNumber(t.unit)}`;
  return `  ${head.padEnd(52)} ${met(t) ? 'met    ' : 'NOT met'}: median ${showFigure(t.figure, t.digits, t.unit)}${t.note ? `; ${t.note}` : ''}`;
}
