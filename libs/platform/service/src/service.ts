import 'reflect-metadata';
import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OpenApiDocument } from '@sextant/contracts';
import { ConfigError, type commonConfig, type ConfigOf, type databaseConfig } from '@sextant/platform/config';
import { AccessControlModule, AccessTokenVerifier, remoteKeySet } from '@sextant/platform/auth';
import { type ClassType, DatabaseModule, runMigrations, Transactions } from '@sextant/platform/database';
import {
  answerClientError,
  ContractGuard,
  ContractValidator,
  HealthController,
  installRequestHooks,
  installServerSpans,
  Metrics,
  ProblemFilter,
  sendProblem,
  ReadinessRegistry,
  requestIdFor,
  toOpenApiPath,
} from '@sextant/platform/http';
import { createLogger, PinoNestLogger, type Logger } from '@sextant/platform/logging';
import {
  createKafka,
  declaredTopics,
  ensureTopics,
  MESSAGING_ENTITIES,
  Messaging,
  MessagingModule,
  TopicNames,
  type EventSubscriber,
} from '@sextant/platform/messaging';
import { stopTelemetry } from '@sextant/platform/telemetry';
import { DataSource } from 'typeorm';
import { type AuditTrailMode, installAuditTrail } from './audit-trail';

type CommonConfig = ConfigOf<typeof commonConfig>;
type DatabaseConfig = ConfigOf<typeof databaseConfig>;

export interface ServiceDefinition<C extends CommonConfig> {
  name: string;
  config: C;
  contract: OpenApiDocument;
  /** Services that own a schema: their entities and migrations (outbox tables are added). */
  database?: { entities: ClassType[]; migrations: ClassType[] };
  subscribers?: Type<EventSubscriber>[];
  /** Verify access tokens on every route its contract does not mark public (`security: []`). */
  accessTokens?: { jwksUrl: string; issuer: string; audience: string };
  /** Extra routes served outside the contract (e.g. the gateway's proxy). */
  uncontractedRoutes?: RegExp[];
  /** Proxies whose X-Forwarded-For sets the client address (Fastify's trustProxy). */
  trustProxy?: boolean | string;
  /** Leave request bodies unparsed (the gateway streams them to the upstream untouched). */
  streamBodies?: boolean;
  /**
   * Services with a database publish `audit.event.recorded.v1` for state changes and denials
   * (default `all`; `denials` for a service that audits its own changes, `off` for none).
   */
  auditTrail?: AuditTrailMode | 'off';
  /** The route a request's server span is named after (default: the Fastify route's path). */
  spanRoute?: (request: FastifyRequest) => string | undefined;
  /** Last set-up on the Fastify application before it listens (plugins, raw routes). */
  configure?: (app: NestFastifyApplication, logger: Logger) => Promise<void>;
}

/** Everything a Sextant service has besides its features: config, logs, database, Kafka, health. */
@Global()
@Module({})
export class ServicePlatformModule {
  static forService<C extends CommonConfig>(definition: ServiceDefinition<C>, logger: Logger): DynamicModule {
    const { name, config } = definition;
    const metrics = new Metrics(name);
    const readiness = new ReadinessRegistry(name);
    const imports: DynamicModule[] = [];
    if (definition.database) {
      const db = config as unknown as C & DatabaseConfig;
      const options = {
        schema: name,
        url: db.DATABASE_URL,
        entities: withMessagingEntities(definition.database.entities),
        migrations: definition.database.migrations,
        poolSize: db.DATABASE_POOL_SIZE,
        poolIdleMs: db.DATABASE_POOL_IDLE_MS,
      };
      imports.push(
        DatabaseModule.forService({
          ...options,
          migrateWithOwnerUrl: db.MIGRATE_ON_START ? db.DATABASE_OWNER_URL : undefined,
        }),
      );
    }
    imports.push(
      MessagingModule.forService({
        service: name,
        brokers: config.KAFKA_BROKERS,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        partitions: config.KAFKA_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
        maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
        retryBackoffMs: config.CONSUMER_RETRY_BACKOFF_MS,
        sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
        outbox: definition.database
          ? { batchSize: config.OUTBOX_BATCH_SIZE, pollIntervalMs: config.OUTBOX_POLL_MS }
          : undefined,
        subscribers: definition.subscribers ?? [],
        logger,
        metrics: metrics.registry,
      }),
    );
    if (definition.accessTokens) {
      const { jwksUrl, issuer, audience } = definition.accessTokens;
      imports.push(
        AccessControlModule.forRoot({
          useFactory: () => new AccessTokenVerifier({ issuer, audience, keys: remoteKeySet(jwksUrl) }),
        }),
      );
    }
    return {
      module: ServicePlatformModule,
      imports,
      controllers: [HealthController],
      providers: [
        { provide: Metrics, useValue: metrics },
        { provide: ContractValidator, useValue: new ContractValidator(definition.contract) },
        {
          provide: ReadinessRegistry,
          inject: [Messaging, { token: DataSource, optional: true }],
          useFactory: (messaging: Messaging, dataSource?: DataSource) => {
            readiness.register({ name: 'kafka', check: () => messaging.check() });
            if (dataSource)
              readiness.register({
                name: 'database',
                check: async () => void (await dataSource.query('select 1')),
              });
            return readiness;
          },
        },
      ],
      exports: [Metrics, ContractValidator, ReadinessRegistry],
    };
  }
}

const INFRA_ROUTES = [/^\/docs/, /^\/openapi\.(json|yaml)$/, /^\/health\//, /^\/metrics$/];

/**
 * Creates and starts a service: Fastify, JSON logs, problem+json errors, contract validation of
 * every request, /openapi.json and /docs from the contract, graceful shutdown. A route that is not
 * in the contract stops start-up: the contract comes first.
 */
export async function runService<C extends CommonConfig & { PORT: number }>(
  definition: ServiceDefinition<C>,
  featureModules: (Type | DynamicModule)[],
): Promise<NestFastifyApplication> {
  const { name, config } = definition;
  const logger = createLogger(name, config.LOG_LEVEL);
  @Module({ imports: [ServicePlatformModule.forService(definition, logger), ...featureModules] })
  class ServiceModule {}

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    trustProxy: definition.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // Long enough that an oversized id reaches contract validation (a documented 400) rather than
    // the router's 414; URLs are bounded by Node's 16 KB header limit anyway.
    routerOptions: { maxParamLength: 8_192 },
    return503OnClosing: true,
    // Errors Fastify's router answers itself (bad URL encoding, ...) as problem+json too.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(error, request, reply, logger, config.NODE_ENV === 'development'),
    clientErrorHandler: (error, socket) => answerClientError(error, socket, logger),
  });
  const undocumented: string[] = [];
  const allowed = [...INFRA_ROUTES, ...(definition.uncontractedRoutes ?? [])];
  adapter.getInstance().addHook('onRoute', (route) => {
    const path = toOpenApiPath(route.url);
    const methods = ([] as string[]).concat(route.method).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
    for (const method of methods) {
      if (!allowed.some((r) => r.test(route.url)) && !definition.contract.paths[path]?.[method.toLowerCase()])
        undocumented.push(`${method} ${route.url}`);
    }
  });

  const app = await NestFactory.create<NestFastifyApplication>(ServiceModule, adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    bodyParser: !definition.streamBodies,
  });

  const exposeStack = config.NODE_ENV === 'development';
  const fastify = app.getHttpAdapter().getInstance();
  installServerSpans(fastify, definition.spanRoute);
  installRequestHooks(fastify, app.get(Metrics).httpDuration);
  const auditTrail = definition.auditTrail ?? 'all';
  if (definition.database && auditTrail !== 'off')
    installAuditTrail(fastify, {
      service: name,
      mode: auditTrail,
      contract: app.get(ContractValidator),
      transactions: app.get(Transactions, { strict: false }),
      logger,
    });
  app.useGlobalFilters(new ProblemFilter(logger, exposeStack));
  // After the access guard (an APP_GUARD provider, registered when the module was created).
  app.useGlobalGuards(new ContractGuard(app.get(ContractValidator)));
  SwaggerModule.setup('docs', app, definition.contract as unknown as OpenAPIObject, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: `Sextant ${name} API`,
  });
  await definition.configure?.(app, logger);
  await app.init();
  if (undocumented.length) {
    await app.close();
    throw new Error(`routes missing from the ${name} contract: ${undocumented.join(', ')}`);
  }
  app.enableShutdownHooks();
  const readiness = app.get(ReadinessRegistry);
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down: draining in-flight work');
    readiness.startDraining();
    const timer = setTimeout(() => {
      logger.error('shutdown grace period exceeded; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref();
    await app.close();
    await stopTelemetry();
    clearTimeout(timer);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ port: config.PORT }, `${name} listening`);
  return app;
}

/** Loads config, printing every bad variable and exiting 1 when something is wrong. */
function loadOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

export type { NestFastifyApplication };

export interface ServiceEntry<C extends CommonConfig & { PORT: number }> {
  definition: ServiceDefinition<C>;
  features: (Type | DynamicModule)[];
}

/**
 * The command line of every service binary: `serve` (default), `migrate` (apply pending
 * migrations as the schema owner, then exit: what the Kubernetes migration Job runs) or `topics`
 * (create every declared topic, then exit: the Kubernetes topics Job).
 */
export async function serviceMain<C extends CommonConfig & { PORT: number }>(
  load: () => ServiceEntry<C>,
): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  const { definition, features } = loadOrExit(load);
  if (command === 'migrate') {
    const config = definition.config as unknown as DatabaseConfig;
    if (!definition.database)
      return void process.stdout.write(`${definition.name} owns no database schema\n`);
    if (!config.DATABASE_OWNER_URL)
      throw new Error('migrate needs DATABASE_OWNER_URL (the schema owner role)');
    const ran = await runMigrations({
      schema: definition.name,
      url: config.DATABASE_OWNER_URL,
      entities: withMessagingEntities(definition.database.entities),
      migrations: definition.database.migrations,
    });
    process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'no pending migrations\n');
    return;
  }
  if (command === 'topics') return createDeclaredTopics(definition.name, definition.config);
  if (command !== 'serve') throw new Error(`unknown command '${command}' (serve | migrate | topics)`);
  await runService(definition, features);
}

async function createDeclaredTopics(service: string, config: CommonConfig): Promise<void> {
  const logger = createLogger(service, config.LOG_LEVEL);
  const admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${service}-topics`, logger }).admin();
  await admin.connect();
  try {
    const topics = declaredTopics(new TopicNames(config.KAFKA_TOPIC_PREFIX));
    const created = await ensureTopics(
      admin,
      topics,
      config.KAFKA_PARTITIONS,
      config.KAFKA_REPLICATION_FACTOR,
    );
    process.stdout.write(`${topics.length} topics declared, ${created.length} created\n`);
  } finally {
    await admin.disconnect();
  }
}

/** Every service schema has the outbox and processed-event tables besides its own. */
function withMessagingEntities(entities: ClassType[]): ClassType[] {
  return [...entities, ...MESSAGING_ENTITIES];
}
