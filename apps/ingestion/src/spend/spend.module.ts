import { Module } from '@nestjs/common';
import { SpendController } from './spend.controller';
import { SpendService } from './spend.service';

/** Ad spend import (JSON, CSV) and listing; publishes `marketing.spend.recorded.v1`. */
@Module({ controllers: [SpendController], providers: [SpendService] })
export class SpendModule {}
