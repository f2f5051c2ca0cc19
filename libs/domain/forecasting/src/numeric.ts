/** Small numeric helpers shared by the methods. */

export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

export function mean(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/** Sample standard deviation (denominator n - 1), as R's `sd`. */
export function sampleSd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return NaN;
  const centre = mean(values);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - centre) ** 2;
  return Math.sqrt(squares / (n - 1));
}

export function isConstant(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}

/** Ordinary least squares line through (x[i], y[i]), as R's `lsfit(x, y)$coefficients`. */
export function linearFit(x: ArrayLike<number>, y: ArrayLike<number>): { intercept: number; slope: number } {
  const n = x.length;
  const xBar = mean(x);
  const yBar = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - xBar) * (y[i] - yBar);
    sxx += (x[i] - xBar) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: yBar - slope * xBar, slope };
}

/** Solves the least squares problem min |X b - y| (X given by columns) through the normal equations. */
export function leastSquares(columns: number[][], y: ArrayLike<number>): number[] {
  const k = columns.length;
  const a: number[][] = [];
  for (let i = 0; i < k; i++) {
    const row: number[] = [];
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < y.length; t++) s += columns[i][t] * columns[j][t];
      row.push(s);
    }
    let s = 0;
    for (let t = 0; t < y.length; t++) s += columns[i][t] * y[t];
    row.push(s);
    a.push(row);
  }
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < k; r++) {
      if (r === col || a[col][col] === 0) continue;
      const factor = a[r][col] / a[col][col];
      for (let c = col; c <= k; c++) a[r][c] -= factor * a[col][c];
    }
  }
  return a.map((row, i) => (row[i] === 0 ? 0 : row[k] / row[i]));
}

/** Sample autocorrelations r_1..r_maxLag, as R's `acf` (denominator: the full sum of squares). */
export function autocorrelations(values: ArrayLike<number>, maxLag: number): number[] {
  const n = values.length;
  const centre = mean(values);
  let denominator = 0;
  for (let i = 0; i < n; i++) denominator += (values[i] - centre) ** 2;
  const result: number[] = [];
  for (let lag = 1; lag <= maxLag; lag++) {
    let numerator = 0;
    for (let i = 0; i + lag < n; i++) numerator += (values[i] - centre) * (values[i + lag] - centre);
    result.push(numerator / denominator);
  }
  return result;
}

/**
 * Classical decomposition's seasonal component, as R's `decompose`: a centred moving average of
 * order m (2 x m when m is even) is the trend; the seasonal figure is the mean detrended value at
 * each position of the cycle (counted from the first observation), normalised to sum to 0
 * (additive) or average 1 (multiplicative). Returns the seasonal component for every observation.
 */
export function classicalSeasonal(
  values: ArrayLike<number>,
  m: number,
  type: 'additive' | 'multiplicative',
): number[] {
  const n = values.length;
  if (m <= 1 || n < 2 * m) throw new RangeError('classical decomposition needs at least two full seasons');
  const weights =
    m % 2 === 0
      ? [0.5, ...new Array<number>(m - 1).fill(1), 0.5].map((w) => w / m)
      : new Array<number>(m).fill(1 / m);
  const half = Math.floor(weights.length / 2);
  const sums = new Array<number>(m).fill(0);
  const counts = new Array<number>(m).fill(0);
  for (let t = half; t < n - (weights.length - 1 - half); t++) {
    let trend = 0;
    for (let j = 0; j < weights.length; j++) trend += weights[j] * values[t - half + j];
    const detrended = type === 'additive' ? values[t] - trend : values[t] / trend;
    sums[t % m] += detrended;
    counts[t % m]++;
  }
  const figure = sums.map((s, i) => s / counts[i]);
  const centre = mean(figure);
  const normalised = figure.map((f) => (type === 'additive' ? f - centre : f / centre));
  return Array.from({ length: n }, (_, t) => normalised[t % m]);
}

/** Quantile with linear interpolation between order statistics (R's default, type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = (n - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(n - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/**
 * Inverse of the standard normal distribution function: algorithm AS 241 (Wichura 1988, "The
 * percentage points of the normal distribution", Applied Statistics 37), as used by R's `qnorm`.
 */
/* eslint-disable no-loss-of-precision -- AS 241's published constants, kept digit for digit */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normal quantile needs 0 < p < 1, got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    value =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -value : value;
}
/* eslint-enable no-loss-of-precision */
