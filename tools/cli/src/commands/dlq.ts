import { createKafka, replayDeadLetters, TopicNames } from '@sextant/platform/messaging';
import pino from 'pino';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command';

const USAGE = `usage: sextant dlq replay --topic TOPIC --service SERVICE [--event-id ID ...]

Re-drives dead letters of SERVICE's consumer group for TOPIC (e.g. ingestion.ping.recorded.v1)
into the group's retry topic, after whatever made them fail has been fixed. Without --event-id,
every dead letter not replayed before; with it, only those events. Consumers deduplicate on the
event id, so replaying twice changes nothing.

Environment: KAFKA_BROKERS (required), KAFKA_TOPIC_PREFIX (as the services use it).`;

export const command: CliCommand = {
  summary: 're-drive dead-lettered Kafka messages to their consumer group',
  usage: USAGE,
  async run(argv) {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        topic: { type: 'string' },
        service: { type: 'string' },
        'event-id': { type: 'string', multiple: true },
      },
    });
    if (positionals[0] !== 'replay' || !values.topic || !values.service) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) {
      process.stderr.write('sextant dlq: set KAFKA_BROKERS\n');
      return 2;
    }
    const kafka = createKafka({
      brokers: brokers.split(','),
      clientId: 'sextant-cli',
      logger: pino({ level: 'warn' }),
    });
    const result = await replayDeadLetters({
      kafka,
      topics: new TopicNames(process.env.KAFKA_TOPIC_PREFIX ?? ''),
      topic: values.topic,
      service: values.service,
      eventIds: values['event-id'],
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  },
};
