/**
 * Absorption probabilities of an absorbing Markov chain with two right-hand sides.
 *
 * Transient states 0..n-1 have transition probabilities to each other (the sparse matrix Q, in
 * compressed rows) and `conversion[s]`, `value[s]` = probability (resp. expected value) of being
 * absorbed into "conversion" in one step from s. We solve x = Q x + conversion and y = Q y + value,
 * i.e. (I - Q) x = conversion: x[s] is the probability of converting from s, y[s] the expected
 * conversion value from s. States flagged in `removed` absorb into "null" (x = y = 0 there).
 */
export interface SparseChain {
  size: number;
  rowStart: Int32Array;
  column: Int32Array;
  probability: Float64Array;
  conversion: Float64Array;
  value: Float64Array;
}

export interface ChainSolution {
  conversion: Float64Array;
  value: Float64Array;
}

/** Below this many states the system is solved directly (Gaussian elimination), above by Gauss-Seidel. */
export const DENSE_SOLVE_MAX_STATES = 150;

/**
 * Solves the chain exactly: directly for small chains, otherwise by Gauss-Seidel iteration until the
 * largest update is below `tolerance` (relative to max(1, |x|)), which for a chain whose walks end
 * with probability >= 1 - rho per step bounds the error by tolerance * rho / (1 - rho).
 * `warmStart` (an upper bound such as the solution without removals) speeds up the iteration.
 * `order` is the sweep order (states near absorption first converge fastest).
 */
export function solveChain(
  chain: SparseChain,
  removed: Uint8Array | null,
  options: SolveOptions,
): ChainSolution {
  const method = options.method ?? (chain.size <= DENSE_SOLVE_MAX_STATES ? 'dense' : 'iterative');
  return method === 'dense' ? solveDense(chain, removed) : solveIteratively(chain, removed, options);
}

export interface SolveOptions {
  tolerance: number;
  maxSweeps: number;
  order?: Int32Array;
  warmStart?: ChainSolution;
  /** Default: dense up to {@link DENSE_SOLVE_MAX_STATES} states, iterative above. */
  method?: 'dense' | 'iterative';
}

function solveIteratively(chain: SparseChain, removed: Uint8Array | null, options: SolveOptions): ChainSolution {
  const { size, rowStart, column, probability } = chain;
  const x = options.warmStart ? Float64Array.from(options.warmStart.conversion) : new Float64Array(size);
  const y = options.warmStart ? Float64Array.from(options.warmStart.value) : new Float64Array(size);
  if (removed) {
    for (let s = 0; s < size; s++) {
      if (removed[s]) {
        x[s] = 0;
        y[s] = 0;
      }
    }
  }
  const order = options.order ?? Int32Array.from({ length: size }, (_, s) => s);
  for (let sweep = 0; sweep < options.maxSweeps; sweep++) {
    let largestChange = 0;
    for (let k = 0; k < size; k++) {
      const s = order[k];
      if (removed !== null && removed[s]) continue;
      let a = chain.conversion[s];
      let b = chain.value[s];
      for (let e = rowStart[s]; e < rowStart[s + 1]; e++) {
        const t = column[e];
        const p = probability[e];
        a += p * x[t];
        b += p * y[t];
      }
      const change = Math.max(Math.abs(a - x[s]) / Math.max(1, a), Math.abs(b - y[s]) / Math.max(1, Math.abs(b)));
      if (change > largestChange) largestChange = change;
      x[s] = a;
      y[s] = b;
    }
    if (largestChange <= options.tolerance) return { conversion: x, value: y };
  }
  throw new Error(`Markov chain solve did not converge in ${options.maxSweeps} sweeps`);
}

/** Gaussian elimination with partial pivoting on (I - Q) restricted to the states not removed. */
function solveDense(chain: SparseChain, removed: Uint8Array | null): ChainSolution {
  const kept: number[] = [];
  const position = new Int32Array(chain.size).fill(-1);
  for (let s = 0; s < chain.size; s++) {
    if (removed === null || !removed[s]) {
      position[s] = kept.length;
      kept.push(s);
    }
  }
  const n = kept.length;
  const width = n + 2; // augmented with the two right-hand sides
  const a = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const s = kept[i];
    a[i * width + i] = 1;
    for (let e = chain.rowStart[s]; e < chain.rowStart[s + 1]; e++) {
      const j = position[chain.column[e]];
      if (j >= 0) a[i * width + j] -= chain.probability[e];
    }
    a[i * width + n] = chain.conversion[s];
    a[i * width + n + 1] = chain.value[s];
  }
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * width + col]) > Math.abs(a[pivot * width + col])) pivot = r;
    if (a[pivot * width + col] === 0) throw new Error('singular Markov chain: a state never reaches an absorbing state');
    if (pivot !== col) {
      for (let c = col; c < width; c++) {
        const tmp = a[col * width + c];
        a[col * width + c] = a[pivot * width + c];
        a[pivot * width + c] = tmp;
      }
    }
    const diagonal = a[col * width + col];
    for (let r = col + 1; r < n; r++) {
      const factor = a[r * width + col] / diagonal;
      if (factor === 0) continue;
      for (let c = col; c < width; c++) a[r * width + c] -= factor * a[col * width + c];
    }
  }
  const x = new Float64Array(chain.size);
  const y = new Float64Array(chain.size);
  for (let i = n - 1; i >= 0; i--) {
    let sx = a[i * width + n];
    let sy = a[i * width + n + 1];
    for (let j = i + 1; j < n; j++) {
      sx -= a[i * width + j] * x[kept[j]];
      sy -= a[i * width + j] * y[kept[j]];
    }
    x[kept[i]] = sx / a[i * width + i];
    y[kept[i]] = sy / a[i * width + i];
  }
  return { conversion: x, value: y };
}
