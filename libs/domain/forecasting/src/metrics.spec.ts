import { ForecastMethod } from './types';
import { accuracy, owa, smape } from './metrics';
import { backtestOrigins, rollingOriginBacktest } from './backtest';

describe('accuracy metrics (worked by hand)', () => {
  // Training 10, 12, 14, 13 (m = 1): naive errors 2, 2, 1 -> scale MAE 5/3, MSE 3.
  // Actual 15, 10 vs forecast 14, 12: errors 1, -2.
  const metrics = accuracy([15, 10], [14, 12], [10, 12, 14, 13], 1);

  it('computes MAE, RMSE, WAPE, bias', () => {
    expect(metrics.mae).toBeCloseTo(1.5, 12);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(metrics.wape).toBeCloseTo((100 * 3) / 25, 12);
    expect(metrics.bias).toBeCloseTo(0.5, 12);
  });

  it('scales MASE and RMSSE by the in-sample naive errors', () => {
    expect(metrics.mase).toBeCloseTo(1.5 / (5 / 3), 12);
    expect(metrics.rmsse).toBeCloseTo(Math.sqrt(2.5 / 3), 12);
  });

  it('uses the M4 sMAPE, with 0/0 counted as 0', () => {
    expect(metrics.smape).toBeCloseTo((200 / 29 + 400 / 22) / 2, 12);
    expect(smape([0, 10], [0, 10])).toBe(0);
  });

  it("reproduces the M4 paper's weekly OWA of Theta from its sMAPE and MASE", () => {
    // Makridakis et al. (2020): Theta 9.093 / 2.637, Naive2 9.161 / 2.777, OWA 0.971.
    expect(owa({ smape: 9.093, mase: 2.637 }, { smape: 9.161, mase: 2.777 })).toBeCloseTo(0.971, 3);
  });
});

describe('rolling-origin backtest', () => {
  it('places the last origin one horizon before the end and steps back', () => {
    expect(backtestOrigins(20, 4, { origins: 3 })).toEqual([8, 12, 16]);
    expect(backtestOrigins(20, 4, { origins: 3, step: 1, minTrain: 15 })).toEqual([15, 16]);
  });

  it('refits the method on the data before each origin', () => {
    const lastValue: ForecastMethod = (history, context) => ({
      method: 'naive',
      mean: new Array<number>(context.horizon).fill(history[history.length - 1]),
    });
    const series = [1, 2, 3, 4, 5, 6, 7, 8];
    const windows = rollingOriginBacktest(
      series,
      lastValue,
      { horizon: 2, season: 1, levels: [], seed: 1 },
      { origins: 2 },
    );
    expect(windows).toEqual([
      { origin: 4, forecast: [4, 4], actual: [5, 6] },
      { origin: 6, forecast: [6, 6], actual: [7, 8] },
    ]);
  });
});
