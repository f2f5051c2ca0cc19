import { Module } from '@nestjs/common';
import { DashboardsController } from './dashboards.controller';
import { DashboardsService } from './dashboards.service';
import { MartCatalogueController } from './mart-catalogue.controller';

@Module({
  controllers: [DashboardsController, MartCatalogueController],
  providers: [DashboardsService],
})
export class DashboardsModule {}
