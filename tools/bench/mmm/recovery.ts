/**
 * Parameter-recovery study: simulated weekly data (simulateMmm: known adstock, saturation and ROI
 * per channel) with 2 and 8 channels over 2 and 3 years, several seeds, fitted with the default
 * model (which matches the simulator's data-generating process). Reports, per setting, how often
 * the true ROI lies inside the 94% HDI, the largest R-hat, divergences and fits that did not converge.
 *
 *   swc libs/domain/mmm tools/bench/mmm -d dist --quiet && node dist/tools/bench/mmm/recovery.js [--seeds 8] [--tune 1000] [--draws 1000]
 */
import { fitMmm, simulateMmm } from '@sextant/domain/mmm';
import { median, option, table } from './bench-util';

interface Setting {
  channels: number;
  weeks: number;
}

async function main(): Promise<void> {
  const seeds = Number(option('seeds', '8'));
  const tune = Number(option('tune', '1000'));
  const draws = Number(option('draws', '1000'));
  const settings: Setting[] = [
    { channels: 2, weeks: 104 },
    { channels: 2, weeks: 156 },
    { channels: 8, weeks: 104 },
    { channels: 8, weeks: 156 },
  ];
  const rows: (string | number)[][] = [];
  const misses: string[] = [];
  let inside = 0;
  let total = 0;
  for (const setting of settings) {
    let settingInside = 0;
    let settingTotal = 0;
    let rhatMax = 0;
    let divergences = 0;
    let notConverged = 0;
    const seconds: number[] = [];
    const widths: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const sim = simulateMmm({
        weeks: setting.weeks,
        channels: setting.channels,
        seed: 1000 * setting.channels + seed,
      });
      const fit = await fitMmm(
        sim.data,
        {},
        { chains: 4, tune, draws, seed, parallel: 'threads', allowUnconverged: true },
      );
      const d = fit.diagnostics;
      rhatMax = Math.max(rhatMax, d.rhatMax);
      divergences += d.divergences;
      if (!d.converged) notConverged++;
      seconds.push(fit.seconds);
      for (const channel of fit.results!.channels) {
        const truth = sim.truth.channels.find((c) => c.name === channel.name)!.roi;
        const ok = truth >= channel.roas.hdiLow && truth <= channel.roas.hdiHigh;
        settingTotal++;
        if (ok) settingInside++;
        else
          misses.push(
            `${setting.channels} channels, ${setting.weeks} weeks, seed ${seed}, ${channel.name}: true ROI ${truth.toFixed(3)}, HDI [${channel.roas.hdiLow.toFixed(3)}, ${channel.roas.hdiHigh.toFixed(3)}]`,
          );
        widths.push((channel.roas.hdiHigh - channel.roas.hdiLow) / truth);
      }
      process.stderr.write(
        `${setting.channels} channels, ${setting.weeks} weeks, seed ${seed}: ${d.verdict}, ${fit.seconds.toFixed(1)} s\n`,
      );
    }
    inside += settingInside;
    total += settingTotal;
    rows.push([
      `${setting.channels} channels, ${setting.weeks} weeks`,
      seeds,
      `${settingInside}/${settingTotal} (${((100 * settingInside) / settingTotal).toFixed(1)}%)`,
      median(widths),
      rhatMax.toFixed(4),
      divergences,
      notConverged,
      median(seconds),
    ]);
  }
  process.stdout.write(
    `ROI recovery, 4 chains x (${tune} tune + ${draws} draws) per fit\n\n` +
      table(
        [
          'setting',
          'seeds',
          'true ROI in 94% HDI',
          'median HDI width / ROI',
          'max R-hat',
          'divergences',
          'not converged',
          'median s',
        ],
        rows,
      ) +
      `\n\noverall coverage: ${inside}/${total} (${((100 * inside) / total).toFixed(1)}%)\n` +
      (misses.length ? `\nmisses:\n${misses.map((m) => `  ${m}`).join('\n')}\n` : ''),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
