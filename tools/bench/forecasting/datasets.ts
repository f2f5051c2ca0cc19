import { readFileSync } from 'node:fs';

/** A competition series: training part and the held-out future. */
export interface CompetitionSeries {
  id: string;
  train: number[];
  test: number[];
}

function parseCsvRows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split(',').map((cell) => cell.replace(/^"|"$/g, '')));
}

/** M4 files: one row per series, id first, values after, empty cells padding; a header row. */
export function readM4(trainPath: string, testPath: string): CompetitionSeries[] {
  const toSeries = (rows: string[][]) =>
    new Map(
      rows.slice(1).map((row) => [
        row[0],
        row
          .slice(1)
          .filter((c) => c !== '')
          .map(Number),
      ]),
    );
  const train = toSeries(parseCsvRows(trainPath));
  const test = toSeries(parseCsvRows(testPath));
  return [...train].map(([id, values]) => ({ id, train: values, test: test.get(id) ?? [] }));
}

/**
 * Tourism competition files (Athanasopoulos et al. 2011): one column per series; rows 1-3 are the
 * length, start year and start period, then the values (empty below the end of shorter series).
 */
export function readTourism(inPath: string, oosPath: string): CompetitionSeries[] {
  const read = (path: string): Map<string, number[]> => {
    const rows = parseCsvRows(path);
    const ids = rows[0];
    return new Map(
      ids.map((id, column) => {
        const length = Number(rows[1][column]);
        const values = rows
          .slice(4)
          .map((row) => row[column])
          .filter((c) => c !== undefined && c !== '')
          .map(Number);
        return [id, values.slice(0, length)];
      }),
    );
  };
  const train = read(inPath);
  const test = read(oosPath);
  return [...train].map(([id, values]) => ({ id, train: values, test: test.get(id) ?? [] }));
}
