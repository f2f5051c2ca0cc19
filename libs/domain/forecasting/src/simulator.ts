import { DemandClass } from './classification';
import { SeededRandom } from './random';

/**
 * Seeded simulator of daily SKU demand, for benchmarks and tests. Each series follows one
 * generating process (its intended class); the same seed always gives the same series.
 *
 * Common parts: a weekly profile w(d) = 1 + A sin(2 pi (d + phase) / 7), A ~ U(0, 0.4), and a
 * linear trend factor 1 + g t / length, g ~ U(-0.3, 0.5).
 * - smooth: Poisson(L w(t) trend(t)) every day, L log-uniform on [20, 200].
 * - erratic: Poisson(L w(t) trend(t) G_t), G_t ~ Gamma(shape 1.2, mean 1), L log-uniform on [10, 60].
 * - intermittent: demand with probability p w(t), p ~ U(0.15, 0.6); size 1 + Poisson(mu), mu ~ U(0.5, 3).
 * - lumpy: probability p ~ U(0.05, 0.45); size ceil(mu Gamma(k, mean 1)), k ~ U(0.5, 0.9), mu ~ U(3, 20).
 * - new: zeros, then the smooth process over the last 5..20 days only.
 * - inactive: the intermittent process, then no demand over the last 30..200 days.
 */
export interface SimulatedSku {
  id: string;
  intendedClass: DemandClass;
  values: number[];
}

export interface SkuSimulationOptions {
  count: number;
  /** Days per series (default 730). */
  length?: number;
  seed?: number;
  /** Share of each class (default: smooth .3, erratic .15, intermittent .25, lumpy .15, new .08, inactive .07). */
  mix?: Partial<Record<DemandClass, number>>;
}

const DEFAULT_MIX: Record<DemandClass, number> = {
  smooth: 0.3,
  erratic: 0.15,
  intermittent: 0.25,
  lumpy: 0.15,
  new: 0.08,
  inactive: 0.07,
};

function logUniform(random: SeededRandom, low: number, high: number): number {
  return Math.exp(Math.log(low) + random.uniform() * (Math.log(high) - Math.log(low)));
}

function simulateOne(random: SeededRandom, demandClass: DemandClass, length: number): number[] {
  const amplitude = random.uniform() * 0.4;
  const phase = random.integer(0, 6);
  const growth = -0.3 + random.uniform() * 0.8;
  const profile = (t: number): number =>
    (1 + amplitude * Math.sin((2 * Math.PI * (t + phase)) / 7)) * (1 + (growth * t) / length);
  const values = new Array<number>(length).fill(0);
  switch (demandClass) {
    case 'smooth':
    case 'new': {
      const level = logUniform(random, 20, 200);
      const start = demandClass === 'new' ? length - random.integer(5, 20) : 0;
      for (let t = start; t < length; t++) values[t] = random.poisson(level * profile(t));
      if (demandClass === 'new' && values[start] === 0) values[start] = 1;
      break;
    }
    case 'erratic': {
      const level = logUniform(random, 10, 60);
      for (let t = 0; t < length; t++)
        values[t] = random.poisson(level * profile(t) * (random.gamma(1.2) / 1.2));
      break;
    }
    case 'intermittent':
    case 'inactive': {
      const probability = 0.15 + random.uniform() * 0.45;
      const size = 0.5 + random.uniform() * 2.5;
      const end = demandClass === 'inactive' ? length - random.integer(30, 200) : length;
      for (let t = 0; t < end; t++)
        if (random.uniform() < probability * profile(t)) values[t] = 1 + random.poisson(size);
      if (demandClass === 'inactive' && !values.some((v) => v > 0)) values[0] = 1;
      break;
    }
    case 'lumpy': {
      const probability = 0.05 + random.uniform() * 0.4;
      const shape = 0.5 + random.uniform() * 0.4;
      const size = 3 + random.uniform() * 17;
      for (let t = 0; t < length; t++) {
        if (random.uniform() < probability * profile(t))
          values[t] = Math.ceil((size * random.gamma(shape)) / shape);
      }
      break;
    }
  }
  return values;
}

export function simulateSkuDemand(options: SkuSimulationOptions): SimulatedSku[] {
  const length = options.length ?? 730;
  const random = new SeededRandom(options.seed ?? 42);
  const mix = { ...DEFAULT_MIX, ...options.mix };
  const classes = Object.keys(mix) as DemandClass[];
  const total = classes.reduce((s, c) => s + mix[c], 0);
  const result: SimulatedSku[] = [];
  for (let i = 0; i < options.count; i++) {
    let u = random.uniform() * total;
    let intendedClass = classes[classes.length - 1];
    for (const c of classes) {
      if (u < mix[c]) {
        intendedClass = c;
        break;
      }
      u -= mix[c];
    }
    result.push({
      id: `sku-${String(i + 1).padStart(5, '0')}`,
      intendedClass,
      values: simulateOne(random, intendedClass, length),
    });
  }
  return result;
}
