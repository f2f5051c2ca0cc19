import { Injectable } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { resolveConfig, validateInput } from '@sextant/domain/mmm';
import { Transactions } from '@sextant/platform/database';
import { ApiProblem } from '@sextant/platform/http';
import { randomUUID } from 'node:crypto';
import { type ColumnRoles, DatasetInputError, type Row, toMmmData } from './dataset-input';
import { checked } from './fits.service';
import { MmmDataset } from './mmm.entities';

type DatasetView = attributionApi.components['schemas']['MmmDataset'];

/** Uploaded weekly datasets: checked like a fit's input (with the default model), stored per tenant. */
@Injectable()
export class DatasetsService {
  constructor(private readonly transactions: Transactions) {}

  async upload(tenantId: string, name: string, rows: Row[], roles: ColumnRoles): Promise<DatasetView> {
    let data;
    try {
      data = toMmmData(rows, roles);
    } catch (error) {
      if (error instanceof DatasetInputError)
        throw ApiProblem.badRequest(`${error.message}.`, [{ field: error.field, message: error.message }]);
      throw error;
    }
    const warnings = checked(() => validateInput(data, resolveConfig()));
    const dataset = await this.transactions.forTenant(tenantId, async (manager) => {
      const datasetId = randomUUID();
      await manager.insert(MmmDataset, { tenantId, datasetId, name, data, warnings });
      return manager.findOneByOrFail(MmmDataset, { tenantId, datasetId });
    });
    return datasetView(dataset);
  }

  async list(tenantId: string): Promise<DatasetView[]> {
    const datasets = await this.transactions.forTenant(tenantId, (m) =>
      m.find(MmmDataset, { where: { tenantId }, order: { createdAt: 'DESC' } }),
    );
    return datasets.map(datasetView);
  }
}

function datasetView(dataset: MmmDataset): DatasetView {
  const { data } = dataset;
  return {
    datasetId: dataset.datasetId,
    name: dataset.name,
    weeks: data.dates.length,
    from: data.dates[0],
    to: data.dates[data.dates.length - 1],
    channels: data.channels.map((c) => c.name),
    controls: (data.controls ?? []).map((c) => c.name),
    warnings: dataset.warnings,
    createdAt: dataset.createdAt.toISOString(),
  };
}
