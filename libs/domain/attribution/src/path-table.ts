import type { PathRecord, PathTable } from './types';

/** Channel indexes are stored in a Uint16Array. */
export const MAX_CHANNELS = 65_535;

/** Number of paths in a table. */
export function pathCount(table: PathTable): number {
  return table.offsets.length - 1;
}

/** Total conversions and value over all paths. */
export function pathTotals(table: PathTable): { conversions: number; value: number; nulls: number } {
  let conversions = 0;
  let value = 0;
  let nulls = 0;
  for (let i = 0; i < table.conversions.length; i++) {
    conversions += table.conversions[i];
    value += table.value[i];
    nulls += table.nulls[i];
  }
  return { conversions, value, nulls };
}

/** Interns channel names into indexes, in order of first appearance. */
export class ChannelIndex {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      if (this.names.length >= MAX_CHANNELS) throw new Error(`too many channels (more than ${MAX_CHANNELS})`);
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

/** Builds a PathTable from path records (channels are indexed in order of first appearance). */
export function pathTableFromRecords(records: readonly PathRecord[]): PathTable {
  const index = new ChannelIndex();
  let touchCount = 0;
  for (const record of records) touchCount += record.channels.length;
  const offsets = new Uint32Array(records.length + 1);
  const touches = new Uint16Array(touchCount);
  const conversions = new Float64Array(records.length);
  const value = new Float64Array(records.length);
  const nulls = new Float64Array(records.length);
  let at = 0;
  records.forEach((record, i) => {
    if (record.channels.length === 0) throw new Error(`path ${i} has no channels`);
    for (const channel of record.channels) touches[at++] = index.idOf(channel);
    offsets[i + 1] = at;
    conversions[i] = record.conversions;
    value[i] = record.value;
    nulls[i] = record.nulls;
  });
  return { channels: index.names, offsets, touches, conversions, value, nulls };
}

/** The paths of a table as records (handy for tests and small data; not for millions of paths). */
export function pathTableToRecords(table: PathTable): PathRecord[] {
  const records: PathRecord[] = [];
  for (let i = 0; i < pathCount(table); i++) {
    const channels: string[] = [];
    for (let t = table.offsets[i]; t < table.offsets[i + 1]; t++)
      channels.push(table.channels[table.touches[t]]);
    records.push({
      channels,
      conversions: table.conversions[i],
      value: table.value[i],
      nulls: table.nulls[i],
    });
  }
  return records;
}

/**
 * Merges identical channel sequences, summing conversions, value and nulls (timestamps are dropped).
 * Open-addressing hash table over the touch sequences: no strings are built.
 */
export function aggregatePaths(table: PathTable): PathTable {
  const paths = pathCount(table);
  const { offsets, touches } = table;
  let capacity = 1;
  while (capacity < paths * 2) capacity <<= 1;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity).fill(-1); // representative input path of each group
  const groupOf = new Int32Array(paths);
  const representatives: number[] = [];
  for (let i = 0; i < paths; i++) {
    const start = offsets[i];
    const end = offsets[i + 1];
    let hash = 0x811c9dc5 ^ (end - start);
    for (let t = start; t < end; t++) hash = Math.imul(hash ^ touches[t], 0x01000193);
    let slot = (hash >>> 0) & mask;
    for (;;) {
      const other = slots[slot];
      if (other < 0) {
        slots[slot] = i;
        groupOf[i] = representatives.length;
        representatives.push(i);
        break;
      }
      if (sameSequence(touches, start, end, offsets[other], offsets[other + 1])) {
        groupOf[i] = groupOf[other];
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const groups = representatives.length;
  const outOffsets = new Uint32Array(groups + 1);
  for (let g = 0; g < groups; g++) {
    const r = representatives[g];
    outOffsets[g + 1] = outOffsets[g] + (offsets[r + 1] - offsets[r]);
  }
  const outTouches = new Uint16Array(outOffsets[groups]);
  for (let g = 0; g < groups; g++) {
    const r = representatives[g];
    outTouches.set(touches.subarray(offsets[r], offsets[r + 1]), outOffsets[g]);
  }
  const conversions = new Float64Array(groups);
  const value = new Float64Array(groups);
  const nulls = new Float64Array(groups);
  for (let i = 0; i < paths; i++) {
    const g = groupOf[i];
    conversions[g] += table.conversions[i];
    value[g] += table.value[i];
    nulls[g] += table.nulls[i];
  }
  return { channels: table.channels, offsets: outOffsets, touches: outTouches, conversions, value, nulls };
}

function sameSequence(
  touches: Uint16Array,
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let k = 0; k < aEnd - aStart; k++) if (touches[aStart + k] !== touches[bStart + k]) return false;
  return true;
}
