import { parsePathData, PathDataError } from './parse-path-data';
import { pathTableToRecords } from './path-table';

const HEADER = 'path;total_conversions;total_conversion_value;total_null';

function errorOf(text: string): PathDataError {
  try {
    parsePathData(text);
  } catch (error) {
    if (error instanceof PathDataError) return error;
    throw error;
  }
  throw new Error('expected a PathDataError');
}

describe('parsePathData', () => {
  it('reads paths, trimming spaces around channels, skipping blank lines and CRLF endings', () => {
    const table = parsePathData(`${HEADER}\r\neta > iota>alpha >  eta;1;0.244;3\r\n\r\nbeta;0;0;2\n`);
    expect(table.channels).toEqual(['eta', 'iota', 'alpha', 'beta']);
    expect(pathTableToRecords(table)).toEqual([
      { channels: ['eta', 'iota', 'alpha', 'eta'], conversions: 1, value: 0.244, nulls: 3 },
      { channels: ['beta'], conversions: 0, value: 0, nulls: 2 },
    ]);
  });

  it('accepts an array of lines', () => {
    const table = parsePathData([HEADER, 'a > b;2;10;0']);
    expect(pathTableToRecords(table)).toEqual([
      { channels: ['a', 'b'], conversions: 2, value: 10, nulls: 0 },
    ]);
  });

  it.each([
    ['a > b,1,2,3', 2, "expected 4 fields separated by ';'"],
    ['a > b;1;2', 2, 'found 3'],
    ['a > b;-1;2;3', 2, 'total_conversions is negative'],
    ['a > b;1;2;-3', 2, 'total_null is negative'],
    ['a > b;one;2;3', 2, "total_conversions is not a number: 'one'"],
    ['a > b;1;;3', 2, "total_conversion_value is not a number: ''"],
    [' ;1;2;3', 2, 'empty path'],
    ['a >> b;1;2;3', 2, 'empty channel name at position 2'],
    ['a > ;1;2;3', 2, 'empty channel name at position 2'],
    ['a;0;5;1', 2, 'conversion value 5 with no conversions'],
    ['a,b;1;2;3', 2, "channel 'a,b' looks like channels joined by another separator: join them with '>'"],
    ['a | b;1;2;3', 2, "channel 'a | b' looks like"],
    ['a -> b;1;2;3', 2, "channel 'a -' looks like"],
  ])('rejects %p naming line %p', (line, lineNumber, detail) => {
    const error = errorOf(`${HEADER}\n${line}\n`);
    expect(error.line).toBe(lineNumber);
    expect(error.message).toContain(`line ${lineNumber}: `);
    expect(error.message).toContain(detail);
  });

  it('counts blank lines in line numbers', () => {
    expect(errorOf(`${HEADER}\n\na;1;1;0\n\na;x;1;0`).line).toBe(5);
  });

  it('requires a header line', () => {
    expect(errorOf('a > b;1;2;3').message).toBe(
      'line 1: missing header line (path;total_conversions;total_conversion_value;total_null)',
    );
    expect(errorOf('').line).toBe(1);
  });
});
