/** Posterior summaries: mean, standard deviation and the 94% highest-density interval. */
export const HDI_PROBABILITY = 0.94;

export interface Estimate {
  mean: number;
  sd: number;
  hdiLow: number;
  hdiHigh: number;
}

export interface Band {
  mean: number[];
  hdiLow: number[];
  hdiHigh: number[];
}

/** Narrowest interval holding `probability` of the draws (as ArviZ's hdi for unimodal draws). */
export function hdi(values: ArrayLike<number>, probability = HDI_PROBABILITY): [number, number] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return [NaN, NaN];
  const inside = Math.floor(probability * n);
  if (inside === 0 || inside >= n) return [sorted[0], sorted[n - 1]];
  let best = 0;
  let width = Infinity;
  for (let i = 0; i + inside < n; i++) {
    const w = sorted[i + inside] - sorted[i];
    if (w < width) {
      width = w;
      best = i;
    }
  }
  return [sorted[best], sorted[best + inside]];
}

export function estimate(values: ArrayLike<number>): Estimate {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const [hdiLow, hdiHigh] = hdi(values);
  return { mean, sd: Math.sqrt(ss / Math.max(1, n - 1)), hdiLow, hdiHigh };
}

/** Summaries per column of a draws x columns matrix. */
export function band(matrix: Float64Array, draws: number, columns: number): Band {
  const out: Band = { mean: [], hdiLow: [], hdiHigh: [] };
  const column = new Float64Array(draws);
  for (let j = 0; j < columns; j++) {
    for (let d = 0; d < draws; d++) column[d] = matrix[d * columns + j];
    const e = estimate(column);
    out.mean.push(e.mean);
    out.hdiLow.push(e.hdiLow);
    out.hdiHigh.push(e.hdiHigh);
  }
  return out;
}
