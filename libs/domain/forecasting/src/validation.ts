/** Input validation: the errors name what is wrong so callers can report it as is. */
export class ForecastInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForecastInputError';
  }
}

/** Quantities must be finite, non-negative numbers. */
export function validateDemand(values: readonly unknown[], seriesId?: string): number[] {
  const where = seriesId === undefined ? '' : ` in series '${seriesId}'`;
  return values.map((value, index) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ForecastInputError(
        `value at position ${index}${where} is not a finite number: ${String(value)}`,
      );
    }
    if (value < 0) throw new ForecastInputError(`value at position ${index}${where} is negative: ${value}`);
    return value;
  });
}

export function validateHorizonAndSeason(horizon: number, season: number): void {
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 10_000) {
    throw new ForecastInputError(`horizon must be an integer between 1 and 10000, got ${horizon}`);
  }
  if (!Number.isInteger(season) || season < 1 || season > 10_000) {
    throw new ForecastInputError(`season must be an integer between 1 and 10000, got ${season}`);
  }
}

export function validateLevels(levels: readonly number[]): void {
  for (const level of levels) {
    if (!Number.isFinite(level) || level <= 0 || level >= 100) {
      throw new ForecastInputError(`interval levels must be between 0 and 100 (exclusive), got ${level}`);
    }
  }
}
