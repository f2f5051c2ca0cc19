/**
 * Nelder-Mead minimiser, a line-by-line port of R's `nmmin` (src/appl/optim.c, after J.C. Nash,
 * "Compact Numerical Methods for Computers", 1979), which R forecast's `ets` calls through its own
 * `etsNelderMead` with reflection 1, contraction 0.5, expansion 2, absolute tolerance -Inf and
 * relative tolerance sqrt(machine epsilon). Keeping the same steps (initial simplex, ordering,
 * shrink rule) makes the search land on the same local optimum as R on the same objective.
 * Non-finite objective values count as 1e35, which is how bounds are enforced.
 */
export interface NelderMeadOptions {
  maxIterations?: number;
  relativeTolerance?: number;
  absoluteTolerance?: number;
}

export interface NelderMeadResult {
  parameters: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

const BIG = 1.0e35;

export function nelderMead(
  objective: (parameters: number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const maxit = options.maxIterations ?? 2000;
  const intol = options.relativeTolerance ?? Math.sqrt(Number.EPSILON);
  const abstol = options.absoluteTolerance ?? -Infinity;
  const alpha = 1;
  const beta = 0.5;
  const gamma = 2;
  const n = start.length;
  const bvec = [...start];
  let f = objective(bvec);
  if (!Number.isFinite(f)) throw new RangeError('objective cannot be evaluated at the initial parameters');
  const n1 = n + 1;
  const c = n + 2;
  // p[i][j]: coordinate i of vertex j; row n holds the objective values; column c-1 the centroid.
  const p: number[][] = Array.from({ length: n1 }, () => new Array<number>(c).fill(0));
  let funcount = 1;
  const convtol = intol * (Math.abs(f) + intol);
  p[n1 - 1][0] = f;
  for (let i = 0; i < n; i++) p[i][0] = bvec[i];
  let l = 1;
  let size = 0;
  let step = 0;
  for (let i = 0; i < n; i++) if (0.1 * Math.abs(bvec[i]) > step) step = 0.1 * Math.abs(bvec[i]);
  if (step === 0) step = 0.1;
  for (let j = 2; j <= n1; j++) {
    for (let i = 0; i < n; i++) p[i][j - 1] = bvec[i];
    let trystep = step;
    while (p[j - 2][j - 1] === bvec[j - 2]) {
      p[j - 2][j - 1] = bvec[j - 2] + trystep;
      trystep *= 10;
    }
    size += trystep;
  }
  let oldsize = size;
  let calcvert = true;
  let failed = false;
  const evaluate = (): number => {
    const value = objective(bvec);
    funcount++;
    return Number.isFinite(value) ? value : BIG;
  };
  do {
    if (calcvert) {
      for (let j = 0; j < n1; j++) {
        if (j + 1 !== l) {
          for (let i = 0; i < n; i++) bvec[i] = p[i][j];
          p[n1 - 1][j] = evaluate();
        }
      }
      calcvert = false;
    }
    let vl = p[n1 - 1][l - 1];
    let vh = vl;
    let h = l;
    for (let j = 1; j <= n1; j++) {
      if (j !== l) {
        const value = p[n1 - 1][j - 1];
        if (value < vl) {
          l = j;
          vl = value;
        }
        if (value > vh) {
          h = j;
          vh = value;
        }
      }
    }
    if (vh <= vl + convtol || vl <= abstol) break;
    for (let i = 0; i < n; i++) {
      let temp = -p[i][h - 1];
      for (let j = 0; j < n1; j++) temp += p[i][j];
      p[i][c - 1] = temp / n;
    }
    for (let i = 0; i < n; i++) bvec[i] = (1 + alpha) * p[i][c - 1] - alpha * p[i][h - 1];
    f = evaluate();
    const vr = f;
    if (vr < vl) {
      p[n1 - 1][c - 1] = f;
      for (let i = 0; i < n; i++) {
        const expanded = gamma * bvec[i] + (1 - gamma) * p[i][c - 1];
        p[i][c - 1] = bvec[i];
        bvec[i] = expanded;
      }
      f = evaluate();
      if (f < vr) {
        for (let i = 0; i < n; i++) p[i][h - 1] = bvec[i];
        p[n1 - 1][h - 1] = f;
      } else {
        for (let i = 0; i < n; i++) p[i][h - 1] = p[i][c - 1];
        p[n1 - 1][h - 1] = vr;
      }
    } else {
      if (vr < vh) {
        for (let i = 0; i < n; i++) p[i][h - 1] = bvec[i];
        p[n1 - 1][h - 1] = vr;
      }
      for (let i = 0; i < n; i++) bvec[i] = (1 - beta) * p[i][h - 1] + beta * p[i][c - 1];
      f = evaluate();
      if (f < p[n1 - 1][h - 1]) {
        for (let i = 0; i < n; i++) p[i][h - 1] = bvec[i];
        p[n1 - 1][h - 1] = f;
      } else if (vr >= vh) {
        calcvert = true;
        size = 0;
        for (let j = 0; j < n1; j++) {
          if (j + 1 !== l) {
            for (let i = 0; i < n; i++) {
              p[i][j] = beta * (p[i][j] - p[i][l - 1]) + p[i][l - 1];
              size += Math.abs(p[i][j] - p[i][l - 1]);
            }
          }
        }
        if (size < oldsize) {
          oldsize = size;
        } else {
          failed = true;
          break;
        }
      }
    }
  } while (funcount <= maxit);
  const parameters: number[] = [];
  for (let i = 0; i < n; i++) parameters.push(p[i][l - 1]);
  return {
    parameters,
    value: p[n1 - 1][l - 1],
    evaluations: funcount,
    converged: !failed && funcount <= maxit,
  };
}
