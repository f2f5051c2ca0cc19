// CPU time of the processes a benchmark drives, read from /proc (Linux): per unit of work it is
// steadier than throughput on a shared, saturated machine, where what a run reaches depends on
// everything else running.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** A process's parent pid and the CPU seconds (user + system) it has used, from /proc/<pid>/stat. */
export function processCpu(pid: number | string): { parent: number; seconds: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (second field) is in parentheses and may itself hold spaces or parentheses.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { parent: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
}

/**
 * CPU seconds (user + system) used so far, by group: each service this process started (`gateway`,
 * `ingestion`, ..., its replicas together, by their `dist/apps/<service>` path), `postgres` (the
 * backends connected to `database`) and `kafka` (a broker's JVM on this machine).
 */
export function cpuSecondsByGroup(database: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let parent: number;
    let seconds: number;
    let commandLine: string;
    try {
      ({ parent, seconds } = processCpu(entry));
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // the process ended while we looked
    }
    const service = /dist\/apps\/([a-z]+)\//.exec(commandLine)?.[1];
    let group: string | undefined;
    if (service && parent === process.pid) group = service;
    else if (commandLine.startsWith('postgres: ') && commandLine.includes(` ${database} `))
      group = 'postgres';
    else if (commandLine.includes('kafka.Kafka')) group = 'kafka';
    if (group) totals[group] = (totals[group] ?? 0) + seconds;
  }
  return totals;
}

/** Microseconds of CPU per unit of work, by group, between two readings of cpuSecondsByGroup. */
export function microsecondsPer(
  units: number,
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const per: Record<string, number> = {};
  let total = 0;
  for (const [group, seconds] of Object.entries(after)) {
    const used = seconds - (before[group] ?? 0);
    per[group] = Math.round((used * 1e6) / units);
    total += used;
  }
  per.total = Math.round((total * 1e6) / units);
  return per;
}

/** The whole machine's CPU seconds so far, all cores together, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; ioWait: number; idle: number } {
  const [user, nice, system, idle, ioWait, irq, softIrq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .split(/\s+/)
    .slice(1)
    .map((ticks) => Number(ticks) / TICKS_PER_SECOND);
  return { busy: user + nice + system + irq + softIrq + steal, ioWait, idle };
}
