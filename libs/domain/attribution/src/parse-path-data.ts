import { ChannelIndex } from './path-table';
import type { PathTable } from './types';

/** Malformed path data; `line` is 1-based and counts the header. */
export class PathDataError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'PathDataError';
  }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const FIELDS = 4;

/**
 * Parses ChannelAttribution's aggregated path format:
 *
 * ```
 * path;total_conversions;total_conversion_value;total_null
 * eta > iota > alpha;1;0.244;3
 * ```
 *
 * The first non-blank line is the header (any names, four `;`-separated columns). Channels are joined
 * by `>` with optional spaces around (trimmed, as ChannelAttribution does); a channel name holding `,`,
 * `|` or a tab, or ending in `-` (from `->`), is taken for a wrong separator. Blank lines are skipped.
 * Counts and values must be non-negative numbers; a value needs at least one conversion.
 * Throws {@link PathDataError} naming the line for anything else.
 */
export function parsePathData(input: string | readonly string[]): PathTable {
  const lines = typeof input === 'string' ? input.split('\n') : input;
  const index = new ChannelIndex();
  const offsets: number[] = [0];
  const touches: number[] = [];
  const conversions: number[] = [];
  const value: number[] = [];
  const nulls: number[] = [];
  let headerSeen = false;
  for (let n = 0; n < lines.length; n++) {
    const lineNumber = n + 1;
    const line = lines[n].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.split(';');
    if (fields.length !== FIELDS) {
      throw new PathDataError(
        lineNumber,
        `expected ${FIELDS} fields separated by ';' (path;conversions;value;nulls), found ${fields.length}`,
      );
    }
    if (!headerSeen) {
      headerSeen = true;
      if (NUMBER.test(fields[1].trim())) {
        throw new PathDataError(
          lineNumber,
          'missing header line (path;total_conversions;total_conversion_value;total_null)',
        );
      }
      continue;
    }
    const channels = fields[0].split('>').map((c) => c.trim());
    if (channels.length === 1 && channels[0] === '') throw new PathDataError(lineNumber, 'empty path');
    const emptyAt = channels.indexOf('');
    if (emptyAt >= 0)
      throw new PathDataError(lineNumber, `empty channel name at position ${emptyAt + 1} of the path`);
    const misjoined = channels.find((c) => /[,|\t]/.test(c) || c.endsWith('-'));
    if (misjoined !== undefined)
      throw new PathDataError(
        lineNumber,
        `channel '${misjoined}' looks like channels joined by another separator: join them with '>'`,
      );
    const conv = parseCount(fields[1], 'total_conversions', lineNumber);
    const val = parseCount(fields[2], 'total_conversion_value', lineNumber);
    const nul = parseCount(fields[3], 'total_null', lineNumber);
    if (conv === 0 && val !== 0)
      throw new PathDataError(lineNumber, `conversion value ${val} with no conversions`);
    for (const channel of channels) touches.push(index.idOf(channel));
    offsets.push(touches.length);
    conversions.push(conv);
    value.push(val);
    nulls.push(nul);
  }
  if (!headerSeen) throw new PathDataError(1, 'no header line and no paths');
  return {
    channels: index.names,
    offsets: Uint32Array.from(offsets),
    touches: Uint16Array.from(touches),
    conversions: Float64Array.from(conversions),
    value: Float64Array.from(value),
    nulls: Float64Array.from(nulls),
  };
}

function parseCount(field: string, column: string, lineNumber: number): number {
  const text = field.trim();
  if (!NUMBER.test(text)) throw new PathDataError(lineNumber, `${column} is not a number: '${text}'`);
  const number = Number(text);
  if (!Number.isFinite(number)) throw new PathDataError(lineNumber, `${column} is not finite: '${text}'`);
  if (number < 0) throw new PathDataError(lineNumber, `${column} is negative: ${text}`);
  return number;
}
