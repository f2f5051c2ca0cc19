import { type MmmFit, steadyStateContribution } from './fit';
import { type Estimate, estimate } from './summary';

/**
 * Budget allocation: maximise the expected steady-state weekly KPI contribution of the media,
 * sum_c E[f_c(s_c)] with f_c the channel's response to constant weekly spend s_c (expectation
 * over posterior draws), subject to sum_c s_c = budget and lower_c <= s_c <= upper_c.
 * Solved through the Lagrangian: for a multiplier m each channel maximises f_c(s) - m s on its
 * bounds (grid then golden section, so S-shaped Hill curves are handled), and m is bisected until
 * the spend adds up to the budget.
 */
export interface BudgetOptions {
  /** Total weekly budget; default: the current total. */
  budget?: number;
  /** Current weekly spend per channel; default: the mean over the fitted weeks. */
  current?: Record<string, number>;
  /** Bounds as a fraction around current spend (0.3 = +/-30%); default 0.3. */
  relativeBound?: number;
  /** Absolute bounds per channel, overriding relativeBound. */
  bounds?: Record<string, { lower: number; upper: number }>;
}

export interface BudgetChannel {
  name: string;
  current: number;
  optimal: number;
  lower: number;
  upper: number;
  /** Expected weekly contribution at current and optimal spend. */
  currentContribution: number;
  optimalContribution: number;
}

export interface BudgetPlan {
  budget: number;
  channels: BudgetChannel[];
  expectedContribution: { current: number; optimal: number };
  /** Weekly KPI gained by the optimal allocation over the current one, over posterior draws. */
  lift: Estimate;
  probabilityPositive: number;
}

export function optimiseBudget(fit: Pick<MmmFit, 'response'>, options: BudgetOptions = {}): BudgetPlan {
  const response = fit.response;
  const names = response.channels;
  const C = names.length;
  const draws = response.draws;
  const current = names.map((name, k) => options.current?.[name] ?? response.averageSpend[k]);
  const budget = options.budget ?? current.reduce((s, v) => s + v, 0);
  const relative = options.relativeBound ?? 0.3;
  const lower = names.map((name, k) => options.bounds?.[name]?.lower ?? current[k] * (1 - relative));
  const upper = names.map((name, k) => options.bounds?.[name]?.upper ?? current[k] * (1 + relative));
  names.forEach((name, k) => {
    if (!(lower[k] >= 0 && upper[k] >= lower[k]))
      throw new Error(`budget bounds for '${name}' are invalid (${lower[k]}..${upper[k]})`);
  });
  const sumLower = lower.reduce((s, v) => s + v, 0);
  const sumUpper = upper.reduce((s, v) => s + v, 0);
  if (budget < sumLower - 1e-9 || budget > sumUpper + 1e-9) {
    throw new Error(
      `budget ${budget} is outside what the bounds allow (${sumLower.toFixed(2)}..${sumUpper.toFixed(2)})`,
    );
  }
  const expected = (k: number, s: number) => {
    let sum = 0;
    for (let d = 0; d < draws; d++) sum += steadyStateContribution(response, d, k, s);
    return sum / draws;
  };
  const bestFor = (k: number, multiplier: number): number => {
    const lo = lower[k];
    const hi = upper[k];
    if (hi - lo < 1e-12) return lo;
    const objective = (s: number) => expected(k, s) - multiplier * s;
    const gridPoints = 40;
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i <= gridPoints; i++) {
      const value = objective(lo + ((hi - lo) * i) / gridPoints);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    let a = lo + ((hi - lo) * Math.max(0, best - 1)) / gridPoints;
    let b = lo + ((hi - lo) * Math.min(gridPoints, best + 1)) / gridPoints;
    const ratio = (Math.sqrt(5) - 1) / 2;
    let x1 = b - ratio * (b - a);
    let x2 = a + ratio * (b - a);
    let f1 = objective(x1);
    let f2 = objective(x2);
    for (let it = 0; it < 40; it++) {
      if (f1 < f2) {
        a = x1;
        x1 = x2;
        f1 = f2;
        x2 = a + ratio * (b - a);
        f2 = objective(x2);
      } else {
        b = x2;
        x2 = x1;
        f2 = f1;
        x1 = b - ratio * (b - a);
        f1 = objective(x1);
      }
    }
    return (a + b) / 2;
  };
  const marginal = (k: number, s: number) => {
    const h = Math.max(1e-6, 1e-4 * (upper[k] + 1e-9));
    return (expected(k, s + h) - expected(k, Math.max(0, s - h))) / (s + h - Math.max(0, s - h));
  };
  let mLow = 0;
  let mHigh = Math.max(1e-12, ...names.map((_, k) => 2 * Math.abs(marginal(k, lower[k]))));
  let allocation = lower.slice();
  for (let it = 0; it < 50; it++) {
    const m = 0.5 * (mLow + mHigh);
    allocation = names.map((_, k) => bestFor(k, m));
    const spent = allocation.reduce((s, v) => s + v, 0);
    if (spent > budget) mLow = m;
    else mHigh = m;
  }
  // Close the remaining gap greedily, by marginal return, within the bounds.
  let gap = budget - allocation.reduce((s, v) => s + v, 0);
  const order = names
    .map((_, k) => k)
    .sort((a, b) => marginal(b, allocation[b]) - marginal(a, allocation[a]));
  for (const k of gap > 0 ? order : order.slice().reverse()) {
    if (Math.abs(gap) < 1e-9) break;
    const room = gap > 0 ? upper[k] - allocation[k] : lower[k] - allocation[k];
    const move = gap > 0 ? Math.min(gap, room) : Math.max(gap, room);
    allocation[k] += move;
    gap -= move;
  }
  const lift = new Float64Array(draws);
  for (let d = 0; d < draws; d++) {
    for (let k = 0; k < C; k++)
      lift[d] +=
        steadyStateContribution(response, d, k, allocation[k]) -
        steadyStateContribution(response, d, k, current[k]);
  }
  const channels = names.map((name, k) => ({
    name,
    current: current[k],
    optimal: allocation[k],
    lower: lower[k],
    upper: upper[k],
    currentContribution: expected(k, current[k]),
    optimalContribution: expected(k, allocation[k]),
  }));
  return {
    budget,
    channels,
    expectedContribution: {
      current: channels.reduce((s, c) => s + c.currentContribution, 0),
      optimal: channels.reduce((s, c) => s + c.optimalContribution, 0),
    },
    lift: estimate(lift),
    probabilityPositive: lift.filter((v) => v > 0).length / draws,
  };
}
