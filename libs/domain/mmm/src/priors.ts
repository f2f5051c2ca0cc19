// Module-level aliases: global lookups are slow inside vm contexts (jest), and these run in the hot loops.
const { exp, log, log1p } = Math;
/**
 * Prior distributions and the transforms that map each constrained parameter to the real line.
 * Log densities are returned up to an additive constant (all that sampling needs).
 */
export type Prior =
  | { dist: 'normal'; mu: number; sigma: number }
  | { dist: 'halfNormal'; sigma: number }
  | { dist: 'logNormal'; mu: number; sigma: number }
  | { dist: 'gamma'; shape: number; rate: number }
  | { dist: 'beta'; a: number; b: number };

export type Support = 'real' | 'positive' | 'unit';

export function supportOf(prior: Prior): Support {
  switch (prior.dist) {
    case 'normal':
      return 'real';
    case 'beta':
      return 'unit';
    default:
      return 'positive';
  }
}

export function describePrior(prior: Prior): string {
  switch (prior.dist) {
    case 'normal':
      return `Normal(${prior.mu}, ${prior.sigma})`;
    case 'halfNormal':
      return `HalfNormal(${prior.sigma})`;
    case 'logNormal':
      return `LogNormal(${prior.mu}, ${prior.sigma})`;
    case 'gamma':
      return `Gamma(shape ${prior.shape}, rate ${prior.rate})`;
    case 'beta':
      return `Beta(${prior.a}, ${prior.b})`;
  }
}

export function validatePrior(name: string, prior: Prior): void {
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  const ok =
    prior.dist === 'normal'
      ? Number.isFinite(prior.mu) && positive(prior.sigma)
      : prior.dist === 'halfNormal'
        ? positive(prior.sigma)
        : prior.dist === 'logNormal'
          ? Number.isFinite(prior.mu) && positive(prior.sigma)
          : prior.dist === 'gamma'
            ? positive(prior.shape) && positive(prior.rate)
            : positive(prior.a) && positive(prior.b);
  if (!ok) throw new Error(`prior for ${name} is invalid: ${JSON.stringify(prior)}`);
}

/** Constrained value of an unconstrained coordinate. */
export function constrain(support: Support, u: number): number {
  if (support === 'real') return u;
  if (support === 'positive') return exp(u);
  return u >= 0 ? 1 / (1 + exp(-u)) : exp(u) / (1 + exp(u));
}

export function unconstrain(support: Support, v: number): number {
  if (support === 'real') return v;
  if (support === 'positive') return log(v);
  return log(v / (1 - v));
}

/** d(constrained)/d(unconstrained). */
export function constrainDerivative(support: Support, v: number): number {
  if (support === 'real') return 1;
  if (support === 'positive') return v;
  return v * (1 - v);
}

/**
 * Log prior density plus log-Jacobian of the transform, as a function of the unconstrained
 * coordinate u (v = constrain(u)). Writes d/du into out[0] and returns the value.
 */
export function logPriorUnconstrained(prior: Prior, u: number, v: number, out: Float64Array): number {
  switch (prior.dist) {
    case 'normal': {
      const z = (v - prior.mu) / prior.sigma;
      out[0] = -z / prior.sigma;
      return -0.5 * z * z;
    }
    case 'halfNormal': {
      // log p(v) = -v^2/(2 s^2); Jacobian v = e^u adds u.
      const s2 = prior.sigma * prior.sigma;
      out[0] = (-v * v) / s2 + 1;
      return (-0.5 * v * v) / s2 + u;
    }
    case 'logNormal': {
      // log p(v) = -log v - (log v - mu)^2 / (2 s^2); with log v = u the -log v and the Jacobian cancel.
      const z = (u - prior.mu) / prior.sigma;
      out[0] = -z / prior.sigma;
      return -0.5 * z * z;
    }
    case 'gamma': {
      // log p(v) = (k-1) log v - rate v; Jacobian adds u = log v.
      out[0] = prior.shape - prior.rate * v;
      return prior.shape * u - prior.rate * v;
    }
    case 'beta': {
      // log p(v) = (a-1) log v + (b-1) log(1-v); Jacobian log v + log(1-v).
      const logV = u >= 0 ? -log1p(exp(-u)) : u - log1p(exp(u));
      const log1mV = logV - u;
      out[0] = prior.a * (1 - v) - prior.b * v;
      return prior.a * logV + prior.b * log1mV;
    }
  }
}
