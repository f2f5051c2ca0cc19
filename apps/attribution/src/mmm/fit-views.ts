import type { attributionApi, EventPayloads } from '@sextant/contracts';
import type { Estimate, MmmData, MmmFit, ResponseDraws } from '@sextant/domain/mmm';
import type { MmmFitRecord } from './mmm.entities';

type Schemas = attributionApi.components['schemas'];
export type FitStatusView = Schemas['MmmFitStatus'];
export type FitResultView = Schemas['MmmFitResult'];
type DiagnosticsView = Schemas['MmmDiagnostics'];
type FitCompleted = EventPayloads['attribution.mmm-fit.completed.v1'];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function fitStatusView(fit: MmmFitRecord): FitStatusView {
  return {
    fitId: fit.fitId,
    status: fit.status,
    source: fit.source,
    datasetId: fit.datasetId,
    from: fit.dateFrom,
    to: fit.dateTo,
    channels: fit.channels,
    progress: fit.progress,
    warnings: fit.warnings,
    verdict: fit.verdict,
    error: fit.error,
    createdAt: fit.createdAt.toISOString(),
    startedAt: iso(fit.startedAt),
    completedAt: iso(fit.completedAt),
  };
}

export function diagnosticsView(fit: MmmFit): DiagnosticsView {
  const d = fit.diagnostics;
  return {
    chains: d.chains,
    draws: d.draws,
    rhatMax: d.rhatMax,
    rhatMaxParameter: d.rhatMaxParameter,
    essBulkMin: d.essBulkMin,
    essTailMin: d.essTailMin,
    divergences: d.divergences,
    treeDepthSaturated: d.treeDepthSaturated,
    ebfmiMin: d.ebfmiMin,
    converged: d.converged,
    problems: d.problems,
    notes: d.notes,
    verdict: d.verdict,
  };
}

/** The stored result of a converged fit (null when the fit has no results). */
export function fitResultView(fitId: string, data: MmmData, fit: MmmFit): FitResultView | null {
  const results = fit.results;
  if (!results) return null;
  return {
    fitId,
    dates: data.dates,
    observed: data.target,
    channels: results.channels.map(({ name, ...channel }) => ({ channel: name, ...channel })),
    expected: results.expected,
    baseline: results.baseline,
    fit: results.fit,
    holdout: results.holdout,
    parameters: results.parameters,
    diagnostics: diagnosticsView(fit),
    warnings: fit.warnings,
  };
}

const interval = ({ mean, hdiLow, hdiHigh }: Estimate) => ({ mean, hdiLow, hdiHigh });

/** `attribution.mmm-fit.completed.v1`: estimates only for a converged fit. */
export function fitCompletedEvent(
  record: MmmFitRecord,
  fit: MmmFit | null,
  status: FitCompleted['status'],
  error: string | null,
): FitCompleted {
  const converged = status === 'succeeded' && fit?.results != null;
  return {
    tenantId: record.tenantId,
    fitId: record.fitId,
    status,
    converged,
    from: record.dateFrom,
    to: record.dateTo,
    channels: converged
      ? fit!.results!.channels.map((c) => ({
          channel: c.name,
          roas: interval(c.roas),
          share: interval(c.share),
          contribution: interval(c.contribution),
        }))
      : [],
    diagnostics: fit
      ? {
          rhatMax: fit.diagnostics.rhatMax,
          essBulkMin: fit.diagnostics.essBulkMin,
          divergences: fit.diagnostics.divergences,
        }
      : null,
    error: error === null ? null : error.slice(0, 2000),
    completedAt: new Date().toISOString(),
  };
}

type StoredResponse = Omit<ResponseDraws, 'beta' | 'weightSum' | 'p0' | 'p1'> &
  Record<'beta' | 'weightSum' | 'p0' | 'p1', number[]>;

/** Posterior draws of the response curves as JSON (typed arrays become arrays). */
export function storeResponse(response: ResponseDraws): StoredResponse {
  return {
    ...response,
    beta: Array.from(response.beta),
    weightSum: Array.from(response.weightSum),
    p0: Array.from(response.p0),
    p1: Array.from(response.p1),
  };
}

export function loadResponse(stored: object): ResponseDraws {
  const s = stored as StoredResponse;
  return {
    ...s,
    beta: Float64Array.from(s.beta),
    weightSum: Float64Array.from(s.weightSum),
    p0: Float64Array.from(s.p0),
    p1: Float64Array.from(s.p1),
  };
}
