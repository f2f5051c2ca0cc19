import { Controller, Get, Header, Injectable, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Dependencies (database, Kafka, ...) register here; /health/ready runs them all. */
@Injectable()
export class ReadinessRegistry {
  readonly service: string;
  private readonly checks: ReadinessCheck[] = [];
  private draining = false;

  constructor(service: string) {
    this.service = service;
  }

  register(check: ReadinessCheck) {
    this.checks.push(check);
  }

  /** On shutdown: report not-ready so load balancers stop sending new requests. */
  startDraining() {
    this.draining = true;
  }

  async report() {
    const results = await Promise.all(
      this.checks.map(async ({ name, check }) => {
        const started = performance.now();
        try {
          await withTimeout(check(), 2_000, `${name} check timed out`);
          return [
            name,
            { status: 'up' as const, latencyMs: Math.round(performance.now() - started) },
          ] as const;
        } catch (error) {
          return [name, { status: 'down' as const, error: (error as Error).message }] as const;
        }
      }),
    );
    if (this.draining) results.push(['shutdown', { status: 'down', error: 'draining' }]);
    const checks = Object.fromEntries(results);
    const ok = results.every(([, r]) => r.status === 'up');
    return { ok, body: { status: ok ? ('ok' as const) : ('error' as const), service: this.service, checks } };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}

/** The service's Prometheus registry: default process metrics plus whatever modules add. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests served, by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }
}

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: Metrics,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok', service: this.readiness.service, checks: {} };
  }

  @Get('health/ready')
  async ready(@Res() reply: FastifyReply) {
    const { ok, body } = await this.readiness.report();
    void reply.status(ok ? 200 : 503).send(body);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape() {
    return this.metrics.registry.metrics();
  }
}
