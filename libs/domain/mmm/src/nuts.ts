import type { LogDensity } from './model';
import { Random } from './rng';
import { logSumExp } from './special';
// Module-level aliases: global lookups are slow inside vm contexts (jest), and these run in the hot loops.
const { exp, log, sqrt, pow, min } = Math;

/**
 * The No-U-Turn Sampler as in Stan (Hoffman & Gelman 2014; Betancourt 2017): multinomial
 * sampling of the trajectory with biased progressive sampling between subtrees, the generalised
 * no-U-turn criterion on sharp momenta with the extra checks across merged subtrees, a diagonal
 * metric, dual-averaging step-size adaptation and Stan's windowed (75/25/50) variance adaptation.
 */
export interface NutsOptions {
  tune: number;
  draws: number;
  seed: number;
  chain: number;
  maxTreeDepth?: number;
  targetAccept?: number;
  /** Unconstrained starting point; otherwise uniform(-initRadius, initRadius) per coordinate as in Stan. */
  init?: ArrayLike<number>;
  initRadius?: number;
  /** Called every `progressEvery` iterations with the number of iterations done. */
  onProgress?: (done: number) => void;
  progressEvery?: number;
}

export interface ChainResult {
  chain: number;
  dimension: number;
  /** draws x dimension, row-major, unconstrained coordinates. */
  draws: Float64Array;
  logDensity: Float64Array;
  divergent: Uint8Array;
  treeDepth: Uint8Array;
  leapfrogs: Uint32Array;
  acceptStat: Float64Array;
  energy: Float64Array;
  stepSize: number;
  inverseMetric: Float64Array;
  warmupDivergences: number;
  /** Leapfrog steps (gradient evaluations) spent in warm-up. */
  warmupLeapfrogs: number;
  maxTreeDepth: number;
  seconds: number;
}

const MAX_DELTA_H = 1000;
/** Log weight returned for a subtree that must be rejected (module constant: no global lookup in the tree loop). */
const REJECTED = NaN;
const INFINITE_ENERGY = Infinity;

interface PhasePoint {
  q: Float64Array;
  p: Float64Array;
  g: Float64Array;
  logp: number;
}

function phasePoint(n: number): PhasePoint {
  return { q: new Float64Array(n), p: new Float64Array(n), g: new Float64Array(n), logp: 0 };
}

function copyPoint(to: PhasePoint, from: PhasePoint): void {
  to.q.set(from.q);
  to.p.set(from.p);
  to.g.set(from.g);
  to.logp = from.logp;
}

/** Buffers owned by one level of the tree recursion, allocated once per chain. */
interface DepthBuffers {
  pInitEnd: Float64Array;
  pSharpInitEnd: Float64Array;
  rhoInit: Float64Array;
  pFinalBeg: Float64Array;
  pSharpFinalBeg: Float64Array;
  rhoFinal: Float64Array;
  rhoExtended: Float64Array;
  proposeFinal: PhasePoint;
}

class DualAveraging {
  private counter = 0;
  private sBar = 0;
  private xBar = 0;
  mu = 0;
  constructor(
    private readonly delta: number,
    private readonly gamma = 0.05,
    private readonly kappa = 0.75,
    private readonly t0 = 10,
  ) {}
  restart(): void {
    this.counter = 0;
    this.sBar = 0;
    this.xBar = 0;
  }
  /** Returns the next step size. */
  learn(acceptStat: number): number {
    this.counter++;
    const stat = min(1, acceptStat);
    const eta = 1 / (this.counter + this.t0);
    this.sBar = (1 - eta) * this.sBar + eta * (this.delta - stat);
    const x = this.mu - (this.sBar * sqrt(this.counter)) / this.gamma;
    const xEta = pow(this.counter, -this.kappa);
    this.xBar = (1 - xEta) * this.xBar + xEta * x;
    return exp(x);
  }
  final(): number {
    return exp(this.xBar);
  }
}

/** Stan's windowed adaptation schedule for the metric. */
class VarianceAdaptation {
  private counter = 0;
  private initBuffer: number;
  private termBuffer: number;
  private windowSize: number;
  private nextWindow: number;
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(
    private readonly numWarmup: number,
    dimension: number,
  ) {
    let init = 75;
    let term = 50;
    let base = 25;
    if (numWarmup < 20) {
      init = numWarmup;
      term = 0;
      base = 0;
    } else if (init + term + base > numWarmup) {
      init = Math.floor(0.15 * numWarmup);
      term = Math.floor(0.1 * numWarmup);
      base = numWarmup - (init + term);
    }
    this.initBuffer = init;
    this.termBuffer = term;
    this.windowSize = base;
    this.nextWindow = init + base - 1;
    this.mean = new Float64Array(dimension);
    this.m2 = new Float64Array(dimension);
  }

  private inWindow(): boolean {
    return (
      this.counter >= this.initBuffer &&
      this.counter < this.numWarmup - this.termBuffer &&
      this.counter !== this.numWarmup
    );
  }

  private endOfWindow(): boolean {
    return this.counter === this.nextWindow && this.counter !== this.numWarmup;
  }

  private computeNextWindow(): void {
    if (this.nextWindow === this.numWarmup - this.termBuffer - 1) return;
    this.windowSize *= 2;
    this.nextWindow = this.counter + this.windowSize;
    if (this.nextWindow !== this.numWarmup - this.termBuffer - 1) {
      const boundary = this.nextWindow + 2 * this.windowSize;
      if (boundary >= this.numWarmup - this.termBuffer)
        this.nextWindow = this.numWarmup - this.termBuffer - 1;
    }
  }

  /** Feeds one warm-up draw; returns true when `inverseMetric` was updated. */
  learn(q: Float64Array, inverseMetric: Float64Array): boolean {
    if (this.inWindow()) {
      this.n++;
      for (let i = 0; i < q.length; i++) {
        const delta = q[i] - this.mean[i];
        this.mean[i] += delta / this.n;
        this.m2[i] += delta * (q[i] - this.mean[i]);
      }
    }
    if (this.endOfWindow()) {
      this.computeNextWindow();
      const n = this.n;
      for (let i = 0; i < q.length; i++) {
        const variance = n > 1 ? this.m2[i] / (n - 1) : 1;
        inverseMetric[i] = (n / (n + 5)) * variance + 1e-3 * (5 / (n + 5));
      }
      this.n = 0;
      this.mean.fill(0);
      this.m2.fill(0);
      this.counter++;
      return true;
    }
    this.counter++;
    return false;
  }
}

export class NutsSampler {
  private readonly n: number;
  private readonly rng: Random;
  readonly inverseMetric: Float64Array;
  stepSize = 1;
  private readonly maxDepth: number;
  private readonly z: PhasePoint;
  private readonly zFwd: PhasePoint;
  private readonly zBck: PhasePoint;
  private readonly zSample: PhasePoint;
  private readonly zPropose: PhasePoint;
  private readonly zInit: PhasePoint;
  private readonly rho: Float64Array;
  private readonly rhoFwd: Float64Array;
  private readonly rhoBck: Float64Array;
  private readonly rhoExtended: Float64Array;
  private readonly pFwdFwd: Float64Array;
  private readonly pSharpFwdFwd: Float64Array;
  private readonly pFwdBck: Float64Array;
  private readonly pSharpFwdBck: Float64Array;
  private readonly pBckFwd: Float64Array;
  private readonly pSharpBckFwd: Float64Array;
  private readonly pBckBck: Float64Array;
  private readonly pSharpBckBck: Float64Array;
  private readonly levels: DepthBuffers[];
  private nLeapfrog = 0;
  private sumMetroProb = 0;
  private divergent = false;
  // Outputs of the last transition.
  lastDepth = 0;
  lastLeapfrogs = 0;
  lastAcceptStat = 0;
  lastDivergent = false;
  lastEnergy = 0;

  constructor(
    private readonly target: LogDensity,
    seed: number,
    chain: number,
    maxTreeDepth = 10,
  ) {
    const n = target.dimension;
    this.n = n;
    this.rng = new Random(seed, chain);
    this.maxDepth = maxTreeDepth;
    this.inverseMetric = new Float64Array(n).fill(1);
    this.z = phasePoint(n);
    this.zFwd = phasePoint(n);
    this.zBck = phasePoint(n);
    this.zSample = phasePoint(n);
    this.zPropose = phasePoint(n);
    this.zInit = phasePoint(n);
    const v = () => new Float64Array(n);
    this.rho = v();
    this.rhoFwd = v();
    this.rhoBck = v();
    this.rhoExtended = v();
    this.pFwdFwd = v();
    this.pSharpFwdFwd = v();
    this.pFwdBck = v();
    this.pSharpFwdBck = v();
    this.pBckFwd = v();
    this.pSharpBckFwd = v();
    this.pBckBck = v();
    this.pSharpBckBck = v();
    this.levels = Array.from({ length: maxTreeDepth + 1 }, () => ({
      pInitEnd: v(),
      pSharpInitEnd: v(),
      rhoInit: v(),
      pFinalBeg: v(),
      pSharpFinalBeg: v(),
      rhoFinal: v(),
      rhoExtended: v(),
      proposeFinal: phasePoint(n),
    }));
  }

  get position(): Float64Array {
    return this.zSample.q;
  }

  get logDensity(): number {
    return this.zSample.logp;
  }

  /** Sets the starting point; throws when the density or its gradient is not finite there. */
  setPosition(q: ArrayLike<number>): void {
    this.zSample.q.set(q);
    this.zSample.logp = this.target.logDensityGradient(this.zSample.q, this.zSample.g);
    if (!Number.isFinite(this.zSample.logp) || !this.zSample.g.every(Number.isFinite)) {
      throw new Error('log density or gradient is not finite at the initial point');
    }
  }

  /** Stan-style random initialisation: uniform(-radius, radius), up to 100 attempts. */
  randomInit(radius: number): void {
    for (let attempt = 0; attempt < 100; attempt++) {
      for (let i = 0; i < this.n; i++) this.zSample.q[i] = radius * (2 * this.rng.uniform() - 1);
      this.zSample.logp = this.target.logDensityGradient(this.zSample.q, this.zSample.g);
      if (Number.isFinite(this.zSample.logp) && this.zSample.g.every(Number.isFinite)) return;
    }
    throw new Error('could not find a starting point with a finite log density in 100 attempts');
  }

  private sampleMomentum(p: Float64Array): void {
    for (let i = 0; i < this.n; i++) p[i] = this.rng.normal() / sqrt(this.inverseMetric[i]);
  }

  private kinetic(p: Float64Array): number {
    let k = 0;
    for (let i = 0; i < this.n; i++) k += p[i] * p[i] * this.inverseMetric[i];
    return 0.5 * k;
  }

  private hamiltonian(z: PhasePoint): number {
    return -z.logp + this.kinetic(z.p);
  }

  private sharp(p: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.n; i++) out[i] = this.inverseMetric[i] * p[i];
  }

  private leapfrog(z: PhasePoint, epsilon: number): void {
    const { q, p, g } = z;
    const half = 0.5 * epsilon;
    for (let i = 0; i < this.n; i++) p[i] += half * g[i];
    for (let i = 0; i < this.n; i++) q[i] += epsilon * this.inverseMetric[i] * p[i];
    z.logp = this.target.logDensityGradient(q, g);
    for (let i = 0; i < this.n; i++) p[i] += half * g[i];
  }

  /** Stan's heuristic: double or halve the step size until one leapfrog step's acceptance crosses 0.8. */
  initStepSize(): void {
    copyPoint(this.zInit, this.zSample);
    const z = this.z;
    const trial = (): number => {
      copyPoint(z, this.zInit);
      this.sampleMomentum(z.p);
      const h0 = this.hamiltonian(z);
      this.leapfrog(z, this.stepSize);
      let h = this.hamiltonian(z);
      if (h !== h) h = INFINITE_ENERGY; // NaN
      return h0 - h;
    };
    const logTarget = log(0.8);
    const direction = trial() > logTarget ? 1 : -1;
    for (;;) {
      const deltaH = trial();
      if (direction === 1 && !(deltaH > logTarget)) break;
      if (direction === -1 && !(deltaH < logTarget)) break;
      this.stepSize = direction === 1 ? this.stepSize * 2 : this.stepSize / 2;
      if (this.stepSize > 1e7)
        throw new Error('posterior is improper: step size diverged during initialisation');
      if (this.stepSize === 0) throw new Error('no acceptably small step size could be found');
    }
  }

  private criterion(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rho: Float64Array): boolean {
    let plus = 0;
    let minus = 0;
    for (let i = 0; i < this.n; i++) {
      plus += pSharpPlus[i] * rho[i];
      minus += pSharpMinus[i] * rho[i];
    }
    return plus > 0 && minus > 0;
  }

  /** Builds a subtree of 2^depth leapfrog steps; returns its log weight, or NaN when it must be rejected. */
  private buildTree(
    depth: number,
    sign: number,
    propose: PhasePoint,
    pSharpBeg: Float64Array,
    pSharpEnd: Float64Array,
    rho: Float64Array,
    pBeg: Float64Array,
    pEnd: Float64Array,
    h0: number,
  ): number {
    const z = this.z;
    if (depth === 0) {
      this.leapfrog(z, sign * this.stepSize);
      this.nLeapfrog++;
      let h = this.hamiltonian(z);
      if (h !== h) h = INFINITE_ENERGY; // NaN
      if (h - h0 > MAX_DELTA_H) this.divergent = true;
      const logWeight = h0 - h;
      this.sumMetroProb += logWeight > 0 ? 1 : exp(logWeight);
      copyPoint(propose, z);
      this.sharp(z.p, pSharpBeg);
      pSharpEnd.set(pSharpBeg);
      for (let i = 0; i < this.n; i++) rho[i] += z.p[i];
      pBeg.set(z.p);
      pEnd.set(z.p);
      return this.divergent ? REJECTED : logWeight;
    }
    const level = this.levels[depth];
    level.rhoInit.fill(0);
    level.rhoFinal.fill(0);
    const logWeightInit = this.buildTree(
      depth - 1,
      sign,
      propose,
      pSharpBeg,
      level.pSharpInitEnd,
      level.rhoInit,
      pBeg,
      level.pInitEnd,
      h0,
    );
    if (logWeightInit !== logWeightInit) return REJECTED;
    const logWeightFinal = this.buildTree(
      depth - 1,
      sign,
      level.proposeFinal,
      level.pSharpFinalBeg,
      pSharpEnd,
      level.rhoFinal,
      level.pFinalBeg,
      pEnd,
      h0,
    );
    if (logWeightFinal !== logWeightFinal) return REJECTED;
    const logWeightSubtree = logSumExp(logWeightInit, logWeightFinal);
    if (logWeightFinal > logWeightSubtree || this.rng.uniform() < exp(logWeightFinal - logWeightSubtree)) {
      copyPoint(propose, level.proposeFinal);
    }
    const ext = level.rhoExtended;
    // Extra checks across the two halves (Stan >= 2.26), then the criterion on the merged subtree.
    for (let i = 0; i < this.n; i++) ext[i] = level.rhoInit[i] + level.pFinalBeg[i];
    let persist = this.criterion(pSharpBeg, level.pSharpFinalBeg, ext);
    for (let i = 0; i < this.n; i++) ext[i] = level.rhoFinal[i] + level.pInitEnd[i];
    persist = persist && this.criterion(level.pSharpInitEnd, pSharpEnd, ext);
    for (let i = 0; i < this.n; i++) {
      ext[i] = level.rhoInit[i] + level.rhoFinal[i];
      rho[i] += ext[i];
    }
    persist = persist && this.criterion(pSharpBeg, pSharpEnd, ext);
    return persist ? logWeightSubtree : REJECTED;
  }

  /** One NUTS transition from the current sample. */
  transition(): void {
    const z = this.z;
    copyPoint(z, this.zSample);
    this.sampleMomentum(z.p);
    copyPoint(this.zSample, z);
    copyPoint(this.zFwd, z);
    copyPoint(this.zBck, z);
    this.pFwdFwd.set(z.p);
    this.sharp(z.p, this.pSharpFwdFwd);
    this.pFwdBck.set(z.p);
    this.pSharpFwdBck.set(this.pSharpFwdFwd);
    this.pBckFwd.set(z.p);
    this.pSharpBckFwd.set(this.pSharpFwdFwd);
    this.pBckBck.set(z.p);
    this.pSharpBckBck.set(this.pSharpFwdFwd);
    this.rho.set(z.p);
    let logSumWeight = 0;
    const h0 = this.hamiltonian(z);
    this.nLeapfrog = 0;
    this.sumMetroProb = 0;
    this.divergent = false;
    let depth = 0;
    while (depth < this.maxDepth) {
      this.rhoFwd.fill(0);
      this.rhoBck.fill(0);
      let logWeight: number;
      if (this.rng.uniform() > 0.5) {
        copyPoint(z, this.zFwd);
        this.rhoBck.set(this.rho);
        this.pBckFwd.set(this.pFwdBck);
        this.pSharpBckFwd.set(this.pSharpFwdBck);
        logWeight = this.buildTree(
          depth,
          1,
          this.zPropose,
          this.pSharpFwdBck,
          this.pSharpFwdFwd,
          this.rhoFwd,
          this.pFwdBck,
          this.pFwdFwd,
          h0,
        );
        copyPoint(this.zFwd, z);
      } else {
        copyPoint(z, this.zBck);
        this.rhoFwd.set(this.rho);
        this.pFwdBck.set(this.pBckFwd);
        this.pSharpFwdBck.set(this.pSharpBckFwd);
        logWeight = this.buildTree(
          depth,
          -1,
          this.zPropose,
          this.pSharpBckFwd,
          this.pSharpBckBck,
          this.rhoBck,
          this.pBckFwd,
          this.pBckBck,
          h0,
        );
        copyPoint(this.zBck, z);
      }
      if (logWeight !== logWeight) break; // NaN: the new subtree was rejected
      depth++;
      if (logWeight > logSumWeight || this.rng.uniform() < exp(logWeight - logSumWeight)) {
        copyPoint(this.zSample, this.zPropose);
      }
      logSumWeight = logSumExp(logSumWeight, logWeight);
      for (let i = 0; i < this.n; i++) this.rho[i] = this.rhoBck[i] + this.rhoFwd[i];
      let persist = this.criterion(this.pSharpBckBck, this.pSharpFwdFwd, this.rho);
      for (let i = 0; i < this.n; i++) this.rhoExtended[i] = this.rhoBck[i] + this.pFwdBck[i];
      persist = persist && this.criterion(this.pSharpBckBck, this.pSharpFwdBck, this.rhoExtended);
      for (let i = 0; i < this.n; i++) this.rhoExtended[i] = this.rhoFwd[i] + this.pBckFwd[i];
      persist = persist && this.criterion(this.pSharpBckFwd, this.pSharpFwdFwd, this.rhoExtended);
      if (!persist) break;
    }
    this.lastDepth = depth;
    this.lastLeapfrogs = this.nLeapfrog;
    this.lastAcceptStat = this.nLeapfrog > 0 ? this.sumMetroProb / this.nLeapfrog : 0;
    this.lastDivergent = this.divergent;
    this.lastEnergy = this.hamiltonian(this.zSample);
  }
}

/** Runs one chain: warm-up with adaptation, then `draws` recorded transitions. */
export function runChain(target: LogDensity, options: NutsOptions): ChainResult {
  const started = performance.now();
  const maxTreeDepth = options.maxTreeDepth ?? 10;
  const sampler = new NutsSampler(target, options.seed, options.chain, maxTreeDepth);
  if (options.init) sampler.setPosition(options.init);
  else sampler.randomInit(options.initRadius ?? 2);
  const dimension = target.dimension;
  const draws = options.draws;
  const result: ChainResult = {
    chain: options.chain,
    dimension,
    draws: new Float64Array(draws * dimension),
    logDensity: new Float64Array(draws),
    divergent: new Uint8Array(draws),
    treeDepth: new Uint8Array(draws),
    leapfrogs: new Uint32Array(draws),
    acceptStat: new Float64Array(draws),
    energy: new Float64Array(draws),
    stepSize: 0,
    inverseMetric: sampler.inverseMetric,
    warmupDivergences: 0,
    warmupLeapfrogs: 0,
    maxTreeDepth,
    seconds: 0,
  };
  const every = options.progressEvery ?? 50;
  const total = options.tune + draws;
  sampler.initStepSize();
  const stepAdaptation = new DualAveraging(options.targetAccept ?? 0.8);
  stepAdaptation.mu = log(10 * sampler.stepSize);
  const metricAdaptation = new VarianceAdaptation(options.tune, dimension);
  for (let it = 0; it < options.tune; it++) {
    sampler.transition();
    if (sampler.lastDivergent) result.warmupDivergences++;
    result.warmupLeapfrogs += sampler.lastLeapfrogs;
    sampler.stepSize = stepAdaptation.learn(sampler.lastAcceptStat);
    if (metricAdaptation.learn(sampler.position, sampler.inverseMetric)) {
      sampler.initStepSize();
      stepAdaptation.mu = log(10 * sampler.stepSize);
      stepAdaptation.restart();
    }
    if (options.onProgress && (it + 1) % every === 0) options.onProgress(it + 1);
  }
  if (options.tune > 0) sampler.stepSize = stepAdaptation.final();
  for (let it = 0; it < draws; it++) {
    sampler.transition();
    result.draws.set(sampler.position, it * dimension);
    result.logDensity[it] = sampler.logDensity;
    result.divergent[it] = sampler.lastDivergent ? 1 : 0;
    result.treeDepth[it] = sampler.lastDepth;
    result.leapfrogs[it] = sampler.lastLeapfrogs;
    result.acceptStat[it] = sampler.lastAcceptStat;
    result.energy[it] = sampler.lastEnergy;
    if (options.onProgress && (options.tune + it + 1) % every === 0)
      options.onProgress(options.tune + it + 1);
  }
  if (options.onProgress && total % every !== 0) options.onProgress(total);
  result.stepSize = sampler.stepSize;
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
