/**
 * Absorption probabilities of an absorbing Markov chain with two right-hand sides.
 *
 * Transient states 0..n-1 have transition probabilities to each other (the sparse matrix Q, in
 * compressed rows) and `conversion[s]`, `value[s]` = probability (resp. expected value) of being
 * absorbed into "conversion" in one step from s. We solve x = Q x + conversion and y = Q y + value,
 * i.e. (I - Q) x = conversion: x[s] is the probability of converting from s, y[s] the expected
 * conversion value from s. Removed states absorb into "null" (x = y = 0 there).
 */
export interface SparseChain {
  size: number;
  rowStart: Int32Array;
  column: Int32Array;
  probability: Float64Array;
  conversion: Float64Array;
  value: Float64Array;
}

/** Probabilities of conversion and expected conversion values, per state (or per removal). */
export interface ChainSolution {
  conversion: Float64Array;
  value: Float64Array;
}

/** Below this many states the system is solved directly (Gaussian elimination), above by Gauss-Seidel. */
export const DENSE_SOLVE_MAX_STATES = 150;

export interface SolveOptions {
  /**
   * Gauss-Seidel stops when the largest update is below this (relative to max(1, |x|)); for a chain
   * whose walks end with probability >= 1 - rho per step the error is then below tolerance * rho / (1 - rho).
   */
  tolerance: number;
  maxSweeps: number;
  /** Default: dense up to {@link DENSE_SOLVE_MAX_STATES} states, iterative above. */
  method?: 'dense' | 'iterative';
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
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r * width + col]) > Math.abs(a[pivot * width + col])) pivot = r;
    if (a[pivot * width + col] === 0)
      throw new Error('singular Markov chain: a state never reaches an absorbing state');
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

/**
 * Groups of states to remove, as compressed rows: the groups state s belongs to are
 * `groups[stateStart[s] .. stateStart[s + 1])`, each in 0..groupCount-1.
 */
export interface RemovalGroups {
  groupCount: number;
  stateStart: Int32Array;
  groups: Int32Array;
}

/** Doubles of unknowns in one blocked Gauss-Seidel pass (about 128 MB, and as much for the updates). */
const BLOCK_BUDGET = 16_000_000;

/**
 * Absorption from state `from` without removals and with each group removed in turn:
 * index 0 of the result is the chain as is, index g + 1 the chain with group g removed.
 * Small chains: one direct solve per group. Larger ones: Gauss-Seidel on all groups at once (one pass
 * over the transitions updates every group's unknowns), in blocks that fit the memory budget. States
 * are swept in index order.
 */
export function absorptionWithRemovals(
  chain: SparseChain,
  from: number,
  removals: RemovalGroups,
  options: SolveOptions,
): ChainSolution {
  const columns = removals.groupCount + 1;
  const conversion = new Float64Array(columns);
  const value = new Float64Array(columns);
  const method = options.method ?? (chain.size <= DENSE_SOLVE_MAX_STATES ? 'dense' : 'iterative');
  if (method === 'dense') {
    const removed = new Uint8Array(chain.size);
    for (let column = 0; column < columns; column++) {
      removed.fill(0);
      for (let s = 0; s < chain.size; s++) {
        for (let k = removals.stateStart[s]; k < removals.stateStart[s + 1]; k++)
          if (removals.groups[k] === column - 1) removed[s] = 1;
      }
      const solution = solveDense(chain, column === 0 ? null : removed);
      conversion[column] = solution.conversion[from];
      value[column] = solution.value[from];
    }
    return { conversion, value };
  }
  const blockWidth = Math.max(1, Math.min(columns, Math.floor(BLOCK_BUDGET / (2 * Math.max(1, chain.size)))));
  for (let first = 0; first < columns; first += blockWidth) {
    const width = Math.min(blockWidth, columns - first);
    const block = solveBlock(chain, removals, first, width, options);
    for (let j = 0; j < width; j++) {
      conversion[first + j] = block.conversion[from * width + j];
      value[first + j] = block.value[from * width + j];
    }
  }
  return { conversion, value };
}

/**
 * Gauss-Seidel for columns first..first+width-1 (column j removes group j - 1; column 0 removes nothing).
 * Unknowns of state s are z[s * 2w .. s * 2w + w) (conversion) then w values (expected value).
 *
 * Acceleration: the error of these chains decays like lambda^n along one dominant mode (lambda is about
 * the probability that a walk goes on). When the ratio of successive update norms of a column is
 * steady, the rest of the geometric series is added at once: z += delta * r / (1 - r). This only moves
 * the starting point of the following sweeps; the stopping rule (a plain sweep whose largest update is
 * below the tolerance) is unchanged, so the answer is as exact as without it.
 */
function solveBlock(
  chain: SparseChain,
  removals: RemovalGroups,
  first: number,
  width: number,
  options: SolveOptions,
): ChainSolution {
  const { size, rowStart, column, probability } = chain;
  const stride = 2 * width;
  const z = new Float64Array(size * stride);
  const delta = new Float64Array(size * stride);
  const columnOfGroup = new Int32Array(removals.groupCount).fill(-1);
  for (let j = 0; j < width; j++) if (first + j > 0) columnOfGroup[first + j - 1] = j;
  const sum = new Float64Array(stride);
  const updateNorm = new Float64Array(stride);
  const previousNorm = new Float64Array(stride);
  const previousRatio = new Float64Array(stride);
  for (let sweep = 0; sweep < options.maxSweeps; sweep++) {
    let largestChange = 0;
    updateNorm.fill(0);
    for (let s = 0; s < size; s++) {
      sum.fill(chain.conversion[s], 0, width);
      sum.fill(chain.value[s], width, stride);
      for (let e = rowStart[s]; e < rowStart[s + 1]; e++) {
        const p = probability[e];
        const base = column[e] * stride;
        for (let j = 0; j < stride; j++) sum[j] += p * z[base + j];
      }
      for (let k = removals.stateStart[s]; k < removals.stateStart[s + 1]; k++) {
        const j = columnOfGroup[removals.groups[k]];
        if (j >= 0) {
          sum[j] = 0;
          sum[width + j] = 0;
        }
      }
      const base = s * stride;
      for (let j = 0; j < stride; j++) {
        const update = sum[j] - z[base + j];
        const change = Math.abs(update) / Math.max(1, Math.abs(sum[j]));
        if (change > largestChange) largestChange = change;
        updateNorm[j] += Math.abs(update);
        delta[base + j] = update;
        z[base + j] = sum[j];
      }
    }
    if (largestChange <= options.tolerance) {
      const conversion = new Float64Array(size * width);
      const value = new Float64Array(size * width);
      for (let s = 0; s < size; s++) {
        conversion.set(z.subarray(s * stride, s * stride + width), s * width);
        value.set(z.subarray(s * stride + width, (s + 1) * stride), s * width);
      }
      return { conversion, value };
    }
    for (let j = 0; j < stride; j++) {
      const ratio = previousNorm[j] > 0 ? updateNorm[j] / previousNorm[j] : 0;
      const steady = ratio > 0 && ratio < 0.995 && Math.abs(ratio - previousRatio[j]) <= 0.01 * ratio;
      if (steady) {
        const factor = ratio / (1 - ratio);
        for (let s = 0; s < size; s++) z[s * stride + j] += factor * delta[s * stride + j];
        previousNorm[j] = 0; // estimate the ratio afresh from the next two sweeps
        previousRatio[j] = 0;
      } else {
        previousNorm[j] = updateNorm[j];
        previousRatio[j] = ratio;
      }
    }
  }
  throw new Error(`Markov chain solve did not converge in ${options.maxSweeps} sweeps`);
}
