import { createServiceDataSource } from '@sextant/platform/database';
import { createLogger } from '@sextant/platform/logging';
import { createKafka, MESSAGING_ENTITIES, TopicNames } from '@sextant/platform/messaging';
import { loadReportingConfig } from '../config';
import { entities } from '../service';
import { rebuildMarts } from './mart-rebuild';
import { MartsConsumer } from './marts.consumer';

/** `node dist/apps/reporting/src/main.js rebuild`: empties the marts and replays history into them. */
export async function rebuildCommand(): Promise<void> {
  const config = loadReportingConfig();
  const logger = createLogger('reporting', config.LOG_LEVEL);
  const dataSource = await createServiceDataSource({
    schema: 'reporting',
    url: config.DATABASE_URL,
    entities: [...entities, ...MESSAGING_ENTITIES],
    applicationName: 'reporting-rebuild',
  }).initialize();
  try {
    const consumer = new MartsConsumer();
    const done = await rebuildMarts({
      kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'reporting-rebuild', logger }),
      dataSource,
      topics: new TopicNames(config.KAFKA_TOPIC_PREFIX),
      handlers: consumer.eventHandlers(),
      batchHandlers: consumer.batchEventHandlers(),
      logger,
      onProgress: ({ consumed, total }) =>
        process.stderr.write(
          `rebuild: ${consumed}/${total} messages (${total ? Math.floor((100 * consumed) / total) : 100}%)\n`,
        ),
    });
    process.stdout.write(`rebuilt the marts from ${done.total} messages\n`);
  } finally {
    await dataSource.destroy();
  }
}
