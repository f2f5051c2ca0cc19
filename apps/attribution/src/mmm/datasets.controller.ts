import { Body, Controller, Get, Headers, Post, Query } from '@nestjs/common';
import type { attributionApi } from '@sextant/contracts';
import { CurrentIdentity, RequirePermissions, type VerifiedIdentity } from '@sextant/platform/auth';
import { ApiProblem } from '@sextant/platform/http';
import { columnList, parseCsvRows } from './dataset-input';
import { DatasetsService } from './datasets.service';

type Upload = attributionApi.components['schemas']['MmmDatasetUpload'];
type CsvQuery = attributionApi.operations['uploadMmmDataset']['parameters']['query'];

@Controller('api/v1/attribution/mmm/datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @RequirePermissions('models:run')
  upload(
    @CurrentIdentity() identity: VerifiedIdentity,
    @Headers('content-type') contentType: string | undefined,
    @Query() query: NonNullable<CsvQuery>,
    @Body() body: Upload | string,
  ) {
    if (typeof body !== 'string' || !contentType?.startsWith('text/csv')) {
      const json = body as Upload;
      return this.datasets.upload(identity.tenantId, json.name, json.rows, {
        ...json,
        controlColumns: json.controlColumns ?? [],
      });
    }
    const missing = (['name', 'dateColumn', 'targetColumn', 'channelColumns'] as const).filter(
      (p) => !query[p],
    );
    if (missing.length)
      throw ApiProblem.badRequest(
        `A CSV upload names its columns in the query: ${missing.join(', ')} missing.`,
        missing.map((p) => ({ field: `/query/${p}`, message: 'is required for text/csv' })),
      );
    return this.datasets.upload(identity.tenantId, query.name!, parseCsvRows(body), {
      dateColumn: query.dateColumn!,
      targetColumn: query.targetColumn!,
      channelColumns: columnList(query.channelColumns),
      controlColumns: columnList(query.controlColumns),
    });
  }

  @Get()
  @RequirePermissions('reports:read')
  async list(@CurrentIdentity() identity: VerifiedIdentity) {
    return { items: await this.datasets.list(identity.tenantId) };
  }
}
