import { autoEts, AutoEtsOptions } from '../ets/auto-ets';
import { fitEtsModel } from '../ets/ets-fit';
import { forecastEts } from '../ets/ets-forecast';
import { ForecastMethod, MethodContext } from '../types';

/** AutoETS (see ets/auto-ets.ts): the ETS model with the smallest AICc, with its own intervals. */
export function etsMethod(options: AutoEtsOptions = {}): ForecastMethod {
  return (history, context) => {
    const { fit, name } = autoEts(history, context.season, options);
    const forecast = forecastEts(fit, context.horizon, { levels: context.levels, seed: context.seed });
    return { method: 'ets', mean: forecast.mean, intervals: forecast.intervals, model: name };
  };
}

/**
 * Simple exponential smoothing as R forecast's `ses(y)`: ETS(A,N,N) with alpha and the initial
 * level estimated by minimising the in-sample one-step MSE; analytic intervals.
 */
export const sesMethod: ForecastMethod = (history, context) => {
  const { fit, mean, intervals } = fitSes(history, context);
  return { method: 'ses', mean, intervals, model: `SES(alpha=${fit.params.alpha.toFixed(4)})` };
};

export function fitSes(history: readonly number[], context: Pick<MethodContext, 'horizon' | 'levels'>) {
  if (history.length < 7) throw new RangeError(`SES needs at least 7 observations, got ${history.length}`);
  const fit = fitEtsModel(history, { error: 'A', trend: 'N', season: 'N', damped: false }, 1, {
    criterion: 'mse',
  });
  if (!fit) throw new RangeError('SES could not be fitted');
  const forecast = forecastEts(fit, context.horizon, { levels: context.levels });
  return { fit, mean: forecast.mean, intervals: forecast.intervals };
}
