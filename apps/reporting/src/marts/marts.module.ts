import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { createLogger } from '@sextant/platform/logging';
import { Messaging } from '@sextant/platform/messaging';
import { DataSource } from 'typeorm';
import type { ReportingConfig } from '../config';
import { martsNeedRebuild, rebuildMarts } from './mart-rebuild';
import { MartsConsumer } from './marts.consumer';

const REPORTING_CONFIG = Symbol('REPORTING_CONFIG');

/** On start, replays history into the marts when this mart version was never fully built. */
@Injectable()
class RebuildOnStart implements OnApplicationBootstrap {
  constructor(
    @Inject(REPORTING_CONFIG) private readonly config: ReportingConfig,
    private readonly messaging: Messaging,
    private readonly dataSource: DataSource,
    private readonly consumer: MartsConsumer,
  ) {}

  async onApplicationBootstrap() {
    if (!this.config.REPORTING_REBUILD_ON_START || !(await martsNeedRebuild(this.dataSource))) return;
    const logger = createLogger('reporting', this.config.LOG_LEVEL);
    // In the background: the service serves (possibly partial marts) while history replays.
    void rebuildMarts({
      kafka: this.messaging.kafka,
      dataSource: this.dataSource,
      topics: this.messaging.topics,
      handlers: this.consumer.eventHandlers(),
      batchHandlers: this.consumer.batchEventHandlers(),
      logger,
      onProgress: (p) => logger.info(p, 'mart rebuild progress'),
    }).catch((error: unknown) => logger.error({ err: error }, 'mart rebuild failed'));
  }
}

@Module({})
export class MartsModule {
  static forConfig(config: ReportingConfig): DynamicModule {
    return {
      module: MartsModule,
      providers: [{ provide: REPORTING_CONFIG, useValue: config }, MartsConsumer, RebuildOnStart],
      exports: [MartsConsumer],
    };
  }
}
