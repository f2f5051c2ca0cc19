import { readFileSync } from 'node:fs';
import {
  type BudgetPlan,
  type Estimate,
  fitMmm,
  type LiftTest,
  type MmmConfigInput,
  type MmmData,
  type MmmFit,
  MmmInputError,
  optimiseBudget,
} from '@sextant/domain/mmm';
import type { CliCommand } from '../command';

const USAGE = `usage: sextant mmm --input FILE --date COL --target COL --channels a,b,... [options]

Fits the Bayesian marketing-mix model (libs/domain/mmm) to a weekly CSV and prints ROAS, marginal
ROAS and share of effect per channel with 94% HDIs, fit quality and sampler diagnostics.

options:
  --controls c,d          control columns (events, prices, ...)
  --chains N              chains (default 4), run in parallel worker threads
  --tune N --draws N      warm-up and kept iterations per chain (default 1000 each)
  --seed N                random seed (default 1); the same seed gives the same result
  --target-accept P       NUTS target acceptance (default 0.9)
  --adstock K             geometric (default) | weibull
  --max-lag N             adstock length in weeks (default 8)
  --saturation K          logistic (default) | hill | michaelis-menten
  --likelihood K          normal (default) | truncated-normal (non-negative KPIs)
  --effect K              roi (default: ROI prior per channel) | coefficient
  --seasonality N         yearly Fourier order (default 2)
  --trend on|off          linear trend in the baseline (default on)
  --holdout N             keep the last N weeks out of the fit and report out-of-sample error
  --lift-tests FILE       CSV with channel,start,end,lift,std_error (calibration)
  --budget-bound F        also optimise the weekly budget within +/-F of current spend (e.g. 0.3)
  --format text|json      output (default text)

exit status: 0 fitted and converged, 2 bad usage or input, 3 the sampler did not converge.`;

interface Options {
  input: string;
  date: string;
  target: string;
  channels: string[];
  controls: string[];
  chains: number;
  tune: number;
  draws: number;
  seed: number;
  targetAccept: number;
  format: 'text' | 'json';
  liftTests?: string;
  budgetBound?: number;
  config: MmmConfigInput;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const [key, inline] = arg.slice(2).split('=', 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value`);
    values.set(key, value);
  }
  const known = [
    'input',
    'date',
    'target',
    'channels',
    'controls',
    'chains',
    'tune',
    'draws',
    'seed',
    'target-accept',
    'adstock',
    'max-lag',
    'saturation',
    'likelihood',
    'effect',
    'seasonality',
    'trend',
    'holdout',
    'lift-tests',
    'budget-bound',
    'format',
  ];
  for (const key of values.keys()) if (!known.includes(key)) throw new UsageError(`unknown option --${key}`);
  const required = (key: string) => {
    const v = values.get(key);
    if (!v) throw new UsageError(`--${key} is required`);
    return v;
  };
  const number = (key: string, fallback: number, integer = true) => {
    const raw = values.get(key);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v)))
      throw new UsageError(`--${key} must be ${integer ? 'an integer' : 'a number'}`);
    return v;
  };
  const choice = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    if (!allowed.includes(raw as T)) throw new UsageError(`--${key} must be one of ${allowed.join(', ')}`);
    return raw as T;
  };
  const list = (key: string) =>
    (values.get(key) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const config: MmmConfigInput = {
    adstock: choice('adstock', ['geometric', 'weibull'] as const),
    saturation: choice('saturation', ['logistic', 'hill', 'michaelis-menten'] as const),
    likelihood: choice('likelihood', ['normal', 'truncated-normal'] as const),
    channelEffect: choice('effect', ['roi', 'coefficient'] as const),
    maxLag: values.has('max-lag') ? number('max-lag', 8) : undefined,
    seasonality: values.has('seasonality') ? number('seasonality', 2) : undefined,
    holdoutWeeks: values.has('holdout') ? number('holdout', 0) : undefined,
    trend: values.has('trend') ? choice('trend', ['on', 'off'] as const) === 'on' : undefined,
  };
  for (const key of Object.keys(config) as (keyof MmmConfigInput)[])
    if (config[key] === undefined) delete config[key];
  const channels = list('channels');
  if (channels.length === 0) throw new UsageError('--channels needs at least one column');
  const options: Options = {
    input: required('input'),
    date: required('date'),
    target: required('target'),
    channels,
    controls: list('controls'),
    chains: number('chains', 4),
    tune: number('tune', 1000),
    draws: number('draws', 1000),
    seed: number('seed', 1),
    targetAccept: number('target-accept', 0.9, false),
    format: choice('format', ['text', 'json'] as const) ?? 'text',
    liftTests: values.get('lift-tests'),
    budgetBound: values.has('budget-bound') ? number('budget-bound', 0.3, false) : undefined,
    config,
  };
  if (options.chains < 1 || options.draws < 10 || options.tune < 0)
    throw new UsageError('--chains must be >= 1, --draws >= 10 and --tune >= 0');
  if (!(options.targetAccept > 0 && options.targetAccept < 1))
    throw new UsageError('--target-accept must be between 0 and 1');
  return options;
}

/** Minimal RFC 4180 CSV reader (quoted fields, doubled quotes). */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += ch;
  }
  record.push(field);
  if (record.length > 1 || record[0] !== '') records.push(record);
  const [header = [], ...rows] = records;
  return { header: header.map((h) => h.trim()), rows };
}

function column(csv: { header: string[]; rows: string[][] }, name: string, file: string): string[] {
  const index = csv.header.indexOf(name);
  if (index < 0) throw new UsageError(`${file} has no column '${name}' (columns: ${csv.header.join(', ')})`);
  return csv.rows.map((row) => (row[index] ?? '').trim());
}

/** Empty cells and non-numbers become NaN, which the model's validation reports with the week. */
function numbers(cells: string[]): number[] {
  return cells.map((cell) => (cell === '' ? NaN : Number(cell)));
}

export function readWeeklyCsv(
  file: string,
  options: Pick<Options, 'date' | 'target' | 'channels' | 'controls'>,
): MmmData {
  const csv = parseCsv(readFileSync(file, 'utf8'));
  return {
    dates: column(csv, options.date, file).map((d) => d.slice(0, 10)),
    target: numbers(column(csv, options.target, file)),
    channels: options.channels.map((name) => ({ name, spend: numbers(column(csv, name, file)) })),
    controls: options.controls.map((name) => ({ name, values: numbers(column(csv, name, file)) })),
  };
}

function readLiftTests(file: string): LiftTest[] {
  const csv = parseCsv(readFileSync(file, 'utf8'));
  const get = (name: string) => column(csv, name, file);
  const channel = get('channel');
  const start = get('start');
  const end = get('end');
  const lift = numbers(get('lift'));
  const stdError = numbers(get('std_error'));
  return channel.map((c, i) => ({
    channel: c,
    start: start[i],
    end: end[i],
    lift: lift[i],
    stdError: stdError[i],
  }));
}

class ProgressBar {
  private readonly done: number[];
  private lastDrawn = -1;
  constructor(
    chains: number,
    private readonly perChain: number,
    private readonly interactive = Boolean(process.stderr.isTTY),
  ) {
    this.done = new Array(chains).fill(0);
  }
  update(chain: number, done: number): void {
    this.done[chain] = done;
    const total = this.perChain * this.done.length;
    const fraction = this.done.reduce((s, v) => s + v, 0) / total;
    const percent = Math.floor(fraction * 100);
    if (this.interactive) {
      if (percent === this.lastDrawn) return;
      const width = 30;
      const filled = Math.round(fraction * width);
      process.stderr.write(
        `\rsampling [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${this.done.length} chains`,
      );
    } else {
      if (percent < this.lastDrawn + 10 && percent < 100) return;
      process.stderr.write(`sampling ${percent}%\n`);
    }
    this.lastDrawn = percent;
  }
  finish(): void {
    if (this.interactive) process.stderr.write('\n');
  }
}

const interval = (e: Estimate) => ({ mean: e.mean, sd: e.sd, hdi_low: e.hdiLow, hdi_high: e.hdiHigh });

function toJson(fit: MmmFit, budget: BudgetPlan | null): unknown {
  const d = fit.diagnostics;
  const diagnostics = {
    rhat_max: d.rhatMax,
    rhat_max_parameter: d.rhatMaxParameter,
    ess_bulk_min: d.essBulkMin,
    ess_tail_min: d.essTailMin,
    divergences: d.divergences,
    tree_depth_saturated: d.treeDepthSaturated,
    ebfmi_min: d.ebfmiMin,
    converged: d.converged,
    verdict: d.verdict,
    problems: d.problems,
    notes: d.notes,
  };
  const results = fit.results;
  if (!results) return { converged: false, diagnostics, warnings: fit.warnings, seconds: fit.seconds };
  const quality = (q: NonNullable<typeof results.holdout>) => ({
    weeks: q.weeks,
    mape: q.mape,
    r2: q.r2,
    coverage_94: q.coverage,
  });
  return {
    converged: true,
    channels: Object.fromEntries(
      results.channels.map((c) => [
        c.name,
        {
          spend: c.spend,
          contribution: interval(c.contribution),
          roas: interval(c.roas),
          marginal_roas: interval(c.marginalRoas),
          share: interval(c.share),
          adstock_weights: c.adstock.mean,
        },
      ]),
    ),
    parameters: Object.fromEntries(
      results.parameters.map((p) => [
        p.name,
        { ...interval(p), rhat: p.rhat, ess_bulk: p.essBulk, ess_tail: p.essTail, prior: p.prior },
      ]),
    ),
    fit: quality(results.fit),
    holdout: results.holdout ? quality(results.holdout) : null,
    diagnostics,
    budget: budget && {
      weekly_budget: budget.budget,
      channels: Object.fromEntries(
        budget.channels.map((c) => [
          c.name,
          { current: c.current, optimal: c.optimal, lower: c.lower, upper: c.upper },
        ]),
      ),
      lift: interval(budget.lift),
      probability_positive: budget.probabilityPositive,
    },
    warnings: fit.warnings,
    seconds: fit.seconds,
  };
}

function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 ? v.toExponential(2) : v.toFixed(digits);
}

function toText(fit: MmmFit, budget: BudgetPlan | null): string {
  const lines: string[] = [];
  const d = fit.diagnostics;
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  const results = fit.results;
  if (results) {
    const e = (x: Estimate) => `${fmt(x.mean)} [${fmt(x.hdiLow)}, ${fmt(x.hdiHigh)}]`.padEnd(34);
    lines.push(
      `${'channel'.padEnd(20)} ${'spend'.padStart(12)}   ${'ROAS [94% HDI]'.padEnd(34)}${'marginal ROAS [94% HDI]'.padEnd(34)}share of media effect [94% HDI]`,
    );
    for (const c of results.channels)
      lines.push(
        `${c.name.padEnd(20)} ${fmt(c.spend, 0).padStart(12)}   ${e(c.roas)}${e(c.marginalRoas)}${e(c.share)}`,
      );
    const q = results.fit;
    lines.push(
      '',
      `fit (${q.weeks} weeks): MAPE ${(100 * q.mape).toFixed(2)}%, R^2 ${q.r2.toFixed(3)}, 94% predictive coverage ${(100 * q.coverage).toFixed(1)}%`,
    );
    if (results.holdout) {
      const h = results.holdout;
      lines.push(
        `hold-out (${h.weeks} weeks): MAPE ${(100 * h.mape).toFixed(2)}%, R^2 ${h.r2.toFixed(3)}, 94% predictive coverage ${(100 * h.coverage).toFixed(1)}%`,
      );
    }
    lines.push(
      '',
      'parameter                      mean        sd    94% HDI                  R-hat  ESS bulk  ESS tail  prior',
    );
    for (const p of results.parameters) {
      lines.push(
        `${p.name.padEnd(28)} ${fmt(p.mean).padStart(8)} ${fmt(p.sd).padStart(9)}    [${fmt(p.hdiLow)}, ${fmt(p.hdiHigh)}]`.padEnd(
          78,
        ) +
          `${p.rhat.toFixed(3)}  ${p.essBulk.toFixed(0).padStart(8)}  ${p.essTail.toFixed(0).padStart(8)}  ${p.prior}`,
      );
    }
  }
  if (budget) {
    lines.push('', `budget (weekly ${fmt(budget.budget, 0)}, current -> optimal):`);
    for (const c of budget.channels)
      lines.push(
        `  ${c.name.padEnd(20)} ${fmt(c.current, 0).padStart(10)} -> ${fmt(c.optimal, 0).padStart(10)}   (bounds ${fmt(c.lower, 0)}..${fmt(c.upper, 0)})`,
      );
    lines.push(
      `  expected weekly lift ${fmt(budget.lift.mean, 1)} [${fmt(budget.lift.hdiLow, 1)}, ${fmt(budget.lift.hdiHigh, 1)}], P(lift > 0) = ${budget.probabilityPositive.toFixed(2)}`,
    );
  }
  lines.push(
    '',
    `diagnostics: ${d.chains} chains x ${d.draws} draws, R-hat max ${fmt(d.rhatMax)} (${d.rhatMaxParameter}), ESS bulk min ${d.essBulkMin.toFixed(0)}, ESS tail min ${d.essTailMin.toFixed(0)}, divergences ${d.divergences}, max tree depth hits ${d.treeDepthSaturated}, E-BFMI min ${d.ebfmiMin.toFixed(2)}, ${fit.seconds.toFixed(1)} s`,
  );
  for (const n of d.notes) lines.push(`note: ${n}`);
  lines.push(
    d.converged
      ? 'verdict: converged'
      : `verdict: NOT CONVERGED, no estimates reported\n${d.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  return lines.join('\n') + '\n';
}

export const command: CliCommand = {
  summary: 'fit the Bayesian marketing-mix model to a weekly CSV (NUTS, ROAS with HDIs, budget)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    let options: Options;
    let data: MmmData;
    let liftTests: LiftTest[] = [];
    try {
      options = parseArgs(argv);
      data = readWeeklyCsv(options.input, options);
      if (options.liftTests) liftTests = readLiftTests(options.liftTests);
    } catch (error) {
      if (error instanceof UsageError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
        process.stderr.write(
          `sextant mmm: ${(error as Error).message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`,
        );
        return 2;
      }
      throw error;
    }
    const progress = new ProgressBar(options.chains, options.tune + options.draws);
    let fit: MmmFit;
    try {
      fit = await fitMmm(
        data,
        { ...options.config, liftTests },
        {
          chains: options.chains,
          tune: options.tune,
          draws: options.draws,
          seed: options.seed,
          targetAccept: options.targetAccept,
          onProgress: (chain, done) => progress.update(chain, done),
        },
      );
    } catch (error) {
      progress.finish();
      if (error instanceof MmmInputError) {
        process.stderr.write(`sextant mmm: invalid input (${error.code}): ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    progress.finish();
    const budget =
      fit.results && options.budgetBound !== undefined
        ? optimiseBudget(fit, { relativeBound: options.budgetBound })
        : null;
    process.stdout.write(
      options.format === 'json' ? `${JSON.stringify(toJson(fit, budget), null, 2)}\n` : toText(fit, budget),
    );
    return fit.diagnostics.converged ? 0 : 3;
  },
};
