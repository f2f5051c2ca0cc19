/**
 * Performance benchmark: 156 weeks x 8 channels (simulated), 4 chains x (1000 tuning + 1000 draws),
 * our NUTS in worker threads against rstan on the identical model (mmm.stan), same settings.
 * Reports medians over --repeats runs of wall time, minimum bulk ESS over the parameters (both
 * computed by the same rank-normalised estimator from the draws) and ESS per second.
 *
 *   swc libs/domain/mmm tools/bench/mmm -d dist --quiet && node dist/tools/bench/mmm/performance.js [--repeats 3] [--stan on|off] [--seed 1]
 *
 * The compiled Stan model is cached in --stan-dir (default $TMPDIR/sextant-mmm-stan). On Debian,
 * r-cran-bh ships without headers and rstan then stops with "Boost not found"; point R_LIBS_USER at
 * a library holding a BH copy whose include/boost links to /usr/include/boost.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { essBulk, fitMmm, MmmModel, resolveConfig, simulateMmm } from '@sextant/domain/mmm';
import { median, option, table } from './bench-util';

const WEEKS = 156;
const CHANNELS = 8;
const CHAINS = 4;
const TUNE = 1000;
const DRAWS = 1000;
const TARGET_ACCEPT = 0.9;

interface Run {
  seconds: number;
  essBulkMin: number;
  divergences: number;
  gradients: number;
  means: Map<string, number>;
}

function minEss(perParameter: Map<string, Float64Array[]>): number {
  let min = Infinity;
  for (const chains of perParameter.values()) min = Math.min(min, essBulk(chains));
  return min;
}

function means(perParameter: Map<string, Float64Array[]>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, chains] of perParameter) {
    const all = chains.flatMap((c) => Array.from(c));
    out.set(name, all.reduce((s, v) => s + v, 0) / all.length);
  }
  return out;
}

async function runOurs(data: ReturnType<typeof simulateMmm>['data'], seed: number): Promise<Run> {
  const started = performance.now();
  const fit = await fitMmm(
    data,
    {},
    {
      chains: CHAINS,
      tune: TUNE,
      draws: DRAWS,
      seed,
      targetAccept: TARGET_ACCEPT,
      parallel: 'threads',
      allowUnconverged: true,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  const names = fit.parameterNames;
  const perParameter = new Map<string, Float64Array[]>();
  names.forEach((name, i) =>
    perParameter.set(
      name,
      fit.chains.map((chain) => Float64Array.from({ length: DRAWS }, (_, d) => chain[d * names.length + i])),
    ),
  );
  return {
    seconds,
    essBulkMin: minEss(perParameter),
    divergences: fit.diagnostics.divergences,
    gradients: fit.diagnostics.gradientEvaluations,
    means: means(perParameter),
  };
}

function rVector(values: ArrayLike<number>): string {
  return `c(${Array.from(values, (v) => v.toPrecision(17)).join(', ')})`;
}

function writeStanData(model: MmmModel, file: string): void {
  const T = model.weeks;
  const C = model.channelCount;
  const F = model.seasonCount;
  const priors = model.config.priors.channel;
  const roi = priors.roi;
  const alpha = priors.adstock[0];
  const lambda = priors.saturation[0];
  if (roi.dist !== 'logNormal' || alpha.dist !== 'beta' || lambda.dist !== 'gamma')
    throw new Error('mmm.stan assumes the default priors');
  const lines = [
    `T <- ${T}L`,
    `C <- ${C}L`,
    `L <- ${model.config.maxLag}L`,
    `F <- ${F}L`,
    `x <- structure(${rVector(model.x)}, .Dim = c(${T}L, ${C}L))`,
    `y <- ${rVector(model.y)}`,
    `trend <- ${rVector(model.trendFeature)}`,
    `season <- structure(${rVector(model.seasonFeatures)}, .Dim = c(${T}L, ${F}L))`,
    `spend_total <- ${rVector(model.spendTotal)}`,
    `target_scale <- ${model.targetScale.toPrecision(17)}`,
    `roi_mu <- ${roi.mu}`,
    `roi_sigma <- ${roi.sigma}`,
    `alpha_a <- ${alpha.a}`,
    `alpha_b <- ${alpha.b}`,
    `lambda_shape <- ${lambda.shape}`,
    `lambda_rate <- ${lambda.rate}`,
  ];
  writeFileSync(file, lines.join('\n') + '\n');
}

function stanName(name: string, model: MmmModel): string | null {
  const match = /^(roi|alpha|lambda)\[(.+)\]$/.exec(name);
  if (match) return `${match[1]}[${model.channelNames.indexOf(match[2]) + 1}]`;
  const season = /^season_(sin|cos)(\d+)$/.exec(name);
  if (season) return `gamma[${2 * Number(season[2]) - (season[1] === 'sin' ? 1 : 0)}]`;
  if (name === 'trend') return 'trend_coef';
  return name === 'intercept' || name === 'sigma' ? name : null;
}

function runStan(model: MmmModel, dir: string, seed: number): Run {
  const stanFile = path.join(dir, 'mmm.stan');
  const dataFile = path.join(dir, 'data.R');
  const drawsFile = path.join(dir, 'draws.csv');
  const timeFile = path.join(dir, 'time.txt');
  writeStanData(model, dataFile);
  execFileSync(
    'Rscript',
    [
      path.join(benchDir(), 'fit-stan.R'),
      stanFile,
      dataFile,
      drawsFile,
      timeFile,
      String(CHAINS),
      String(TUNE),
      String(DRAWS),
      String(seed),
      String(TARGET_ACCEPT),
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const [seconds, divergences, leapfrogs] = readFileSync(timeFile, 'utf8').trim().split('\n').map(Number);
  const [headerLine, ...rows] = readFileSync(drawsFile, 'utf8').trim().split('\n');
  const header = headerLine.split(',').map((h) => h.replace(/"/g, ''));
  const perParameter = new Map<string, Float64Array[]>();
  for (const name of model.names) {
    const column = header.indexOf(stanName(name, model) ?? '');
    if (column < 0) throw new Error(`Stan output has no column for ${name}`);
    const chains = Array.from({ length: CHAINS }, () => new Float64Array(DRAWS));
    for (const row of rows) {
      const cells = row.split(',');
      chains[Number(cells[0]) - 1][Number(cells[1]) - 1] = Number(cells[column]);
    }
    perParameter.set(name, chains);
  }
  return {
    seconds,
    essBulkMin: minEss(perParameter),
    divergences,
    gradients: leapfrogs,
    means: means(perParameter),
  };
}

function benchDir(): string {
  // Compiled to dist/tools/bench/mmm; the Stan and R files stay in the source tree.
  return path.resolve(__dirname, '../../../../tools/bench/mmm');
}

async function main(): Promise<void> {
  const repeats = Number(option('repeats', '3'));
  const withStan = option('stan', 'on') === 'on';
  const seed = Number(option('seed', '1'));
  const sim = simulateMmm({ weeks: WEEKS, channels: CHANNELS, seed });
  const model = new MmmModel(sim.data, resolveConfig());
  const ours: Run[] = [];
  const stan: Run[] = [];
  const dir = option('stan-dir', path.join(tmpdir(), 'sextant-mmm-stan'));
  if (withStan) {
    mkdirSync(dir, { recursive: true });
    const source = path.join(benchDir(), 'mmm.stan');
    const cached = path.join(dir, 'mmm.stan');
    if (!existsSync(cached) || readFileSync(cached, 'utf8') !== readFileSync(source, 'utf8'))
      copyFileSync(source, cached);
    process.stderr.write('compiling the Stan model (not timed)...\n');
    execFileSync(
      'Rscript',
      [
        '-e',
        `suppressPackageStartupMessages(library(rstan)); rstan_options(auto_write = TRUE); invisible(stan_model('${path.join(dir, 'mmm.stan')}'))`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  for (let r = 0; r < repeats; r++) {
    process.stderr.write(`run ${r + 1}/${repeats}: sextant...\n`);
    ours.push(await runOurs(sim.data, seed + r));
    if (withStan) {
      process.stderr.write(`run ${r + 1}/${repeats}: rstan...\n`);
      stan.push(runStan(model, dir, seed + r));
    }
  }
  const summary = (name: string, runs: Run[]) => {
    const seconds = median(runs.map((r) => r.seconds));
    const ess = median(runs.map((r) => r.essBulkMin));
    return [
      name,
      seconds,
      ess,
      median(runs.map((r) => r.essBulkMin / r.seconds)),
      median(runs.map((r) => r.gradients)),
      runs.map((r) => r.divergences).join('/'),
    ];
  };
  const rows = [summary('sextant (TypeScript NUTS, worker threads)', ours)];
  if (withStan) rows.push(summary('rstan (same model, cores = chains)', stan));
  process.stdout.write(
    `MMM performance: ${WEEKS} weeks x ${CHANNELS} channels, ${CHAINS} chains x (${TUNE} tune + ${DRAWS} draws), adapt delta ${TARGET_ACCEPT}, ${repeats} runs, medians\n\n` +
      table(
        ['sampler', 'wall s', 'min bulk ESS', 'min bulk ESS / s', 'gradient evals', 'divergences per run'],
        rows,
      ) +
      '\n',
  );
  if (withStan) {
    // Same posterior: posterior means should agree to Monte Carlo error.
    const diffs = model.names.map((name) => {
      const a = ours[0].means.get(name) ?? NaN;
      const b = stan[0].means.get(name) ?? NaN;
      return [name, a, b] as [string, number, number];
    });
    process.stdout.write(
      `\nposterior means, first run (sextant vs rstan):\n${table(['parameter', 'sextant', 'rstan'], diffs)}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
