import { absorptionWithRemovals, type RemovalGroups, type SparseChain } from './absorbing-chain';
import { pathCount, pathTotals } from './path-table';
import { toChannelCredits, type ChannelCredits, type PathTable } from './types';

export interface MarkovOptions {
  /** Markov order k >= 1 (states are tuples of the last k channels). Default 1. */
  order?: number;
  /** Use non-converting (null) paths. Default true. */
  useNulls?: boolean;
  /** Merge consecutive identical states, as ChannelAttribution does. Default true. */
  collapseRepeats?: boolean;
  /** Convergence tolerance of the iterative solve (larger chains). Default 1e-13. */
  tolerance?: number;
  /** Linear solver: Gaussian elimination or Gauss-Seidel. Default: dense for small chains only. */
  solver?: 'dense' | 'iterative';
  /** Also return the transition matrix (state labels and probabilities). Default false. */
  includeTransitions?: boolean;
}

/** One transition of the chain; states are `(start)`, channel tuples joined by `>`, `(conversion)`, `(null)`. */
export interface MarkovTransition {
  from: string;
  to: string;
  probability: number;
}

export interface MarkovResult {
  credits: ChannelCredits;
  /** Removal effect per channel: `conversions` is RE_c, `value` is RE^value_c. */
  removalEffects: ChannelCredits;
  /** Probability of conversion from (start). */
  conversionProbability: number;
  /** Expected conversion value from (start). */
  expectedValue: number;
  /** Transient states, (start) included. */
  stateCount: number;
  /** Distinct transitions between transient states. */
  transitionCount: number;
  /** The transition matrix, when `includeTransitions` was asked for. */
  transitions?: MarkovTransition[];
}

/** Above this many possible state codes, states are looked up in a Map instead of an array. */
const DENSE_LOOKUP_MAX = 1 << 22;

/**
 * Markov chain attribution by removal effect (Anderl, Becker, von Wangenheim & Schumann, 2016,
 * "Mapping the customer journey: Lessons learned from graph-based online attribution modeling";
 * the semantics of ChannelAttribution's `markov_model`, computed exactly instead of by simulation).
 *
 * Chain: every path is the walk (start) -> s_1 -> ... -> s_m -> (conversion) | (null). With order k the
 * states s_j are the windows of k consecutive channels (a path shorter than k is one state, the whole
 * path); consecutive identical states are merged by default, as ChannelAttribution does (for order 1
 * this collapses repeated channels). Transitions are counted with weight conversions + nulls of the
 * path; the last state goes to (conversion) with weight `conversions` and to (null) with weight `nulls`.
 * Without null paths, only converting paths are used and every walk ends in (conversion).
 *
 * P = probability of reaching (conversion) from (start): the absorption probability of the chain,
 * found by solving (I - Q) x = r exactly. Removing channel c sends every transition into a state that
 * contains c to (null): P_c. Removal effect RE_c = 1 - P_c / P, which equals ChannelAttribution's
 * P(walk visits c | walk converts). Conversion credit_c = total conversions * RE_c / sum_d RE_d.
 *
 * Value (ChannelAttribution's approach): a converting walk that last stood in state s carries the mean
 * conversion value of the paths ending in s (sum of their values / sum of their conversions). With
 * V = expected value from (start) and V_c the same with c removed, RE^value_c = 1 - V_c / V and
 * value credit_c = total value * RE^value_c / sum_d RE^value_d.
 */
export function markovCredits(table: PathTable, options: MarkovOptions = {}): MarkovResult {
  const order = options.order ?? 1;
  const useNulls = options.useNulls ?? true;
  const collapseRepeats = options.collapseRepeats ?? true;
  if (!Number.isInteger(order) || order < 1)
    throw new Error(`Markov order must be a positive integer, got ${order}`);
  const states = encodeStates(table, order, useNulls, collapseRepeats);
  const chain = buildChain(table, states, useNulls);
  const solveOptions = {
    tolerance: options.tolerance ?? 1e-13,
    maxSweeps: 1_000_000,
    method: options.solver,
  };
  // Group c = the states that contain channel c; removing it sends every walk entering them to (null).
  const absorption = absorptionWithRemovals(
    chain,
    chain.start,
    channelRemovals(states, chain.relabel, table.channels.length),
    solveOptions,
  );
  const conversionProbability = absorption.conversion[0];
  const expectedValue = absorption.value[0];
  const channelCount = table.channels.length;
  const removalConversions = new Float64Array(channelCount);
  const removalValue = new Float64Array(channelCount);
  for (let c = 0; c < channelCount; c++) {
    if (conversionProbability > 0)
      removalConversions[c] = 1 - absorption.conversion[c + 1] / conversionProbability;
    if (expectedValue > 0) removalValue[c] = 1 - absorption.value[c + 1] / expectedValue;
  }
  const totals = pathTotals(table);
  return {
    credits: toChannelCredits(
      table.channels,
      shareOut(removalConversions, totals.conversions),
      shareOut(removalValue, totals.value),
    ),
    removalEffects: toChannelCredits(table.channels, removalConversions, removalValue),
    conversionProbability,
    expectedValue,
    stateCount: chain.size,
    transitionCount: chain.rowStart[chain.size],
    ...(options.includeTransitions ? { transitions: transitionList(chain, states, table.channels) } : {}),
  };
}

/** The chain's transitions with readable state labels, (null) taking what no other target does. */
function transitionList(
  chain: SparseChain & { relabel: Int32Array },
  states: EncodedStates,
  channels: readonly string[],
): MarkovTransition[] {
  const labels: string[] = new Array(chain.size);
  chain.relabel.forEach((k, s) => {
    const names: string[] = [];
    for (let q = 0; q < states.order && s !== START; q++) {
      const channel = states.channelsOf[s * states.order + q];
      if (channel < 0) break;
      names.push(channels[channel]);
    }
    labels[k] = s === START ? '(start)' : names.join('>');
  });
  const transitions: MarkovTransition[] = [];
  for (let k = 0; k < chain.size; k++) {
    let leaving = 0;
    for (let e = chain.rowStart[k]; e < chain.rowStart[k + 1]; e++) {
      transitions.push({ from: labels[k], to: labels[chain.column[e]], probability: chain.probability[e] });
      leaving += chain.probability[e];
    }
    if (chain.conversion[k] > 0)
      transitions.push({ from: labels[k], to: '(conversion)', probability: chain.conversion[k] });
    const nulls = 1 - leaving - chain.conversion[k];
    if (nulls > 1e-12) transitions.push({ from: labels[k], to: '(null)', probability: nulls });
  }
  return transitions;
}

/** Encoded id of (start); the chain renumbers it (`chain.start`). */
const START = 0;

/** total * effect_c / sum(effect), or zeros when every effect is zero. */
function shareOut(effects: Float64Array, total: number): Float64Array {
  let sum = 0;
  for (const e of effects) sum += e;
  return effects.map((e) => (sum > 0 ? (total * e) / sum : 0));
}

/** The state walk of every path, stored at the path's touch offsets. */
interface EncodedStates {
  /** seq[offsets[i] .. offsets[i] + walkLength[i]) is path i's walk (state ids; 0 is (start)). */
  seq: Int32Array;
  walkLength: Uint32Array;
  /** Channels of each state: channelsOf[s * order + q], -1 padded; state 0 is (start). */
  channelsOf: Int32Array;
  order: number;
  count: number;
}

function encodeStates(
  table: PathTable,
  order: number,
  useNulls: boolean,
  collapseRepeats: boolean,
): EncodedStates {
  if (order === 1) return encodeChannelStates(table, useNulls, collapseRepeats);
  const base = table.channels.length + 1;
  const codeSpace = Math.pow(base, order);
  if (codeSpace > Number.MAX_SAFE_INTEGER)
    throw new Error(`Markov order ${order} is too high for ${table.channels.length} channels`);
  const denseLookup = codeSpace <= DENSE_LOOKUP_MAX ? new Int32Array(codeSpace).fill(-1) : null;
  const mapLookup = denseLookup ? null : new Map<number, number>();
  const { offsets, touches } = table;
  const seq = new Int32Array(touches.length);
  const walkLength = new Uint32Array(pathCount(table));
  let channelsOf = new Int32Array(Math.max(16, order * 1024)).fill(-1);
  let count = 1; // state 0 is (start)
  for (let i = 0; i < pathCount(table); i++) {
    if (table.conversions[i] + (useNulls ? table.nulls[i] : 0) === 0) continue;
    const start = offsets[i];
    const length = offsets[i + 1] - start;
    const width = Math.min(order, length);
    let previous = -1;
    let m = 0;
    for (let j = 0; j + width <= length; j++) {
      let code = 0;
      let scale = 1;
      for (let q = 0; q < width; q++) {
        code += (touches[start + j + q] + 1) * scale;
        scale *= base;
      }
      let state = denseLookup ? denseLookup[code] : (mapLookup!.get(code) ?? -1);
      if (state < 0) {
        state = count++;
        if (denseLookup) denseLookup[code] = state;
        else mapLookup!.set(code, state);
        if ((state + 1) * order > channelsOf.length) {
          const grown = new Int32Array(channelsOf.length * 2).fill(-1);
          grown.set(channelsOf);
          channelsOf = grown;
        }
        for (let q = 0; q < width; q++) channelsOf[state * order + q] = touches[start + j + q];
      }
      if (collapseRepeats && state === previous) continue;
      seq[start + m++] = state;
      previous = state;
    }
    walkLength[i] = m;
  }
  return { seq, walkLength, channelsOf, order, count };
}

/** Order 1, the common case, without window codes: a state per channel, numbered as first walked. */
function encodeChannelStates(table: PathTable, useNulls: boolean, collapseRepeats: boolean): EncodedStates {
  const { offsets, touches } = table;
  const paths = pathCount(table);
  const stateOfChannel = new Int32Array(table.channels.length).fill(-1);
  const channelsOf = new Int32Array(table.channels.length + 1).fill(-1);
  const seq = new Int32Array(touches.length);
  const walkLength = new Uint32Array(paths);
  let count = 1; // state 0 is (start)
  for (let i = 0; i < paths; i++) {
    if (table.conversions[i] + (useNulls ? table.nulls[i] : 0) === 0) continue;
    const start = offsets[i];
    const end = offsets[i + 1];
    let previous = -1;
    let m = start;
    for (let t = start; t < end; t++) {
      let state = stateOfChannel[touches[t]];
      if (state < 0) {
        state = count++;
        stateOfChannel[touches[t]] = state;
        channelsOf[state] = touches[t];
      }
      if (collapseRepeats && state === previous) continue;
      seq[m++] = state;
      previous = state;
    }
    walkLength[i] = m - start;
  }
  return { seq, walkLength, channelsOf, order: 1, count };
}

/** Encoded state ids sorted by their channel tuples (shorter tuples first on ties), (start) last. */
function lexicographicOrder(states: EncodedStates, channelCount: number): Int32Array {
  const { channelsOf, order, count } = states;
  const base = channelCount + 1; // channel index + 1, and 0 for "tuple ended"
  const key = new Float64Array(count);
  for (let s = 1; s < count; s++) {
    let k = 0;
    for (let q = 0; q < order; q++) k = k * base + (channelsOf[s * order + q] + 1);
    key[s] = k;
  }
  key[START] = Infinity;
  return Int32Array.from({ length: count }, (_, s) => s).sort((a, b) => key[a] - key[b]);
}

/** For each chain state, the channels it contains (its removal groups), as compressed rows. */
function channelRemovals(states: EncodedStates, relabel: Int32Array, channelCount: number): RemovalGroups {
  const { channelsOf, order, count } = states;
  const stateStart = new Int32Array(count + 1);
  const groups: number[] = [];
  const byChainIndex = new Int32Array(count);
  relabel.forEach((k, s) => (byChainIndex[k] = s));
  for (let k = 0; k < count; k++) {
    const s = byChainIndex[k];
    for (let q = 0; q < order; q++) {
      const channel = channelsOf[s * order + q];
      if (channel < 0) break;
      if (!groups.slice(stateStart[k]).includes(channel)) groups.push(channel);
    }
    stateStart[k + 1] = groups.length;
  }
  return { groupCount: channelCount, stateStart, groups: Int32Array.from(groups) };
}

/**
 * Transition counts as a sparse chain (compressed rows, duplicates merged). States are renumbered
 * (`relabel[encoded id] = chain index`) in lexicographic order of their channel tuples, (start) last:
 * the successors (b, c, x) of (a, b, c) are then neighbours in memory, which keeps the Gauss-Seidel
 * sweeps of large higher-order chains cache-friendly.
 */
function buildChain(
  table: PathTable,
  states: EncodedStates,
  useNulls: boolean,
): SparseChain & { relabel: Int32Array; start: number } {
  const size = states.count;
  const { seq, walkLength } = states;
  const { offsets } = table;
  const rowTotal = new Float64Array(size);
  const conversionEnd = new Float64Array(size);
  const valueEnd = new Float64Array(size);
  const outDegree = new Int32Array(size + 1);
  const paths = pathCount(table);

  // Pass 1: out-degree (with duplicates), row totals, absorption weights.
  for (let i = 0; i < paths; i++) {
    const m = walkLength[i];
    if (m === 0) continue;
    const conversions = table.conversions[i];
    const nulls = useNulls ? table.nulls[i] : 0;
    const weight = conversions + nulls;
    const start = offsets[i];
    outDegree[START]++;
    rowTotal[START] += weight;
    for (let j = 0; j < m; j++) {
      const s = seq[start + j];
      rowTotal[s] += weight;
      if (j + 1 < m) outDegree[s]++;
    }
    const last = seq[start + m - 1];
    conversionEnd[last] += conversions;
    valueEnd[last] += table.value[i];
  }

  const { rowStart, column, count } =
    size <= DENSE_COUNT_MAX_STATES
      ? countTransitionsDense(table, states, useNulls)
      : countTransitionsSparse(table, states, useNulls, outDegree);
  const transitions = rowStart[size];
  for (let s = 0; s < size; s++) {
    for (let e = rowStart[s]; e < rowStart[s + 1]; e++) count[e] /= rowTotal[s];
  }
  const conversion = new Float64Array(size);
  const value = new Float64Array(size);
  for (let s = 0; s < size; s++) {
    if (rowTotal[s] > 0) {
      conversion[s] = conversionEnd[s] / rowTotal[s];
      value[s] = valueEnd[s] / rowTotal[s];
    }
  }
  const sweepOrder = lexicographicOrder(states, table.channels.length);
  const relabel = new Int32Array(size);
  sweepOrder.forEach((s, k) => (relabel[s] = k));
  const permutedStart = new Int32Array(size + 1);
  const permutedColumn = new Int32Array(transitions);
  const permutedProbability = new Float64Array(transitions);
  const permutedConversion = new Float64Array(size);
  const permutedValue = new Float64Array(size);
  let at = 0;
  for (let k = 0; k < size; k++) {
    const s = sweepOrder[k];
    permutedStart[k] = at;
    for (let e = rowStart[s]; e < rowStart[s + 1]; e++) {
      permutedColumn[at] = relabel[column[e]];
      permutedProbability[at] = count[e];
      at++;
    }
    permutedConversion[k] = conversion[s];
    permutedValue[k] = value[s];
  }
  permutedStart[size] = at;
  return {
    size,
    rowStart: permutedStart,
    column: permutedColumn,
    probability: permutedProbability,
    conversion: permutedConversion,
    value: permutedValue,
    relabel,
    start: relabel[START],
  };
}

/** Up to this many states, transitions are counted in a dense size x size matrix. */
const DENSE_COUNT_MAX_STATES = 1024;

interface TransitionCounts {
  rowStart: Int32Array;
  column: Int32Array;
  count: Float64Array;
}

/** Calls visit(from, to, weight) for every transition between transient states of every walk. */
function forEachTransition(
  table: PathTable,
  states: EncodedStates,
  useNulls: boolean,
  visit: (from: number, to: number, weight: number) => void,
): void {
  const { seq, walkLength } = states;
  for (let i = 0; i < walkLength.length; i++) {
    const m = walkLength[i];
    if (m === 0) continue;
    const weight = table.conversions[i] + (useNulls ? table.nulls[i] : 0);
    const start = table.offsets[i];
    let from = START;
    for (let j = 0; j < m; j++) {
      const to = seq[start + j];
      visit(from, to, weight);
      from = to;
    }
  }
}

function countTransitionsDense(table: PathTable, states: EncodedStates, useNulls: boolean): TransitionCounts {
  const size = states.count;
  const matrix = new Float64Array(size * size);
  forEachTransition(table, states, useNulls, (from, to, weight) => {
    matrix[from * size + to] += weight;
  });
  let nonZero = 0;
  for (const c of matrix) if (c !== 0) nonZero++;
  const rowStart = new Int32Array(size + 1);
  const column = new Int32Array(nonZero);
  const count = new Float64Array(nonZero);
  let at = 0;
  for (let s = 0; s < size; s++) {
    rowStart[s] = at;
    for (let t = 0; t < size; t++) {
      const c = matrix[s * size + t];
      if (c !== 0) {
        column[at] = t;
        count[at++] = c;
      }
    }
  }
  rowStart[size] = at;
  return { rowStart, column, count };
}

/** Scatters every transition into its row (outDegree[s] slots), then merges duplicate columns in place. */
function countTransitionsSparse(
  table: PathTable,
  states: EncodedStates,
  useNulls: boolean,
  outDegree: Int32Array,
): TransitionCounts {
  const size = states.count;
  const slotStart = new Int32Array(size + 1);
  for (let s = 0; s < size; s++) slotStart[s + 1] = slotStart[s] + outDegree[s];
  const fill = slotStart.slice(0, size);
  const column = new Int32Array(slotStart[size]);
  const count = new Float64Array(slotStart[size]);
  forEachTransition(table, states, useNulls, (from, to, weight) => {
    const at = fill[from]++;
    column[at] = to;
    count[at] = weight;
  });
  const seenInRow = new Int32Array(size).fill(-1);
  const positionOf = new Int32Array(size);
  const rowStart = new Int32Array(size + 1);
  let out = 0;
  for (let s = 0; s < size; s++) {
    rowStart[s] = out;
    for (let e = slotStart[s]; e < slotStart[s + 1]; e++) {
      const t = column[e];
      if (seenInRow[t] === s) {
        count[positionOf[t]] += count[e];
      } else {
        seenInRow[t] = s;
        positionOf[t] = out;
        column[out] = t;
        count[out] = count[e];
        out++;
      }
    }
  }
  rowStart[size] = out;
  return { rowStart, column: column.slice(0, out), count: count.slice(0, out) };
}
