import { createServiceDataSource, Transactions, withTenant } from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import { serviceUrls, testEnvironment } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RetentionPurgeJob, RetentionWindowsConsumer } from './retention';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00.000Z');
const at = (daysAgo: number, seconds: number) => new Date(NOW.getTime() - daysAgo * DAY_MS + seconds * 1000);

// The purge as the auth app role runs it (migrations applied by the global setup).
describe('audit log retention (real PostgreSQL, auth app role)', () => {
  const urls = serviceUrls(testEnvironment(), 'auth');
  const custom = randomUUID();
  const defaults = randomUUID();
  let app: DataSource;

  const audit = (tenantId: string | null, action: string, occurredAt: Date) =>
    tenantId
      ? withTenant(app, tenantId, (m) =>
          m.query(
            `insert into audit_events (tenant_id, action, outcome, occurred_at) values ($1, $2, 'success', $3)`,
            [tenantId, action, occurredAt],
          ),
        )
      : app.query(
          `insert into audit_events (tenant_id, action, outcome, occurred_at) values (null, $1, 'failure', $2)`,
          [action, occurredAt],
        );
  const actions = (tenantId: string) =>
    withTenant(app, tenantId, async (m) =>
      ((await m.query(`select action from audit_events order by action`)) as { action: string }[]).map(
        (r) => r.action,
      ),
    );

  beforeAll(async () => {
    app = await createServiceDataSource({ schema: 'auth', url: urls.appUrl, entities: [] }).initialize();
  });
  afterAll(() => app.destroy());

  it('deletes exactly the audit events past the window, never under a year, through the purge only', async () => {
    const windows = (auditLogDays: number) => ({
      rawEventsDays: 30,
      deadLettersDays: 7,
      journeysDays: 400,
      auditLogDays,
    });
    const apply = new RetentionWindowsConsumer().eventHandlers()['privacy.retention.changed.v1']!;
    await withTenant(app, custom, (manager) =>
      apply({ tenantId: custom, windows: windows(400), changedAt: NOW.toISOString() }, {
        manager,
        tenantId: custom,
      } as never),
    );
    // A window under a year is refused by the table, whatever a message says.
    await expect(
      withTenant(app, defaults, (manager) =>
        apply({ tenantId: defaults, windows: windows(100), changedAt: NOW.toISOString() }, {
          manager,
          tenantId: defaults,
        } as never),
      ),
    ).rejects.toThrow(/check constraint/);

    await audit(custom, 'inside', at(400, +1));
    await audit(custom, 'outside', at(400, -1));
    for (let n = 0; n < 4; n++) await audit(custom, `old-${n}`, at(800 + n, 0));
    await audit(defaults, 'inside', at(730, +1)); // the default, 730 days
    await audit(defaults, 'outside', at(730, -1));

    const job = new RetentionPurgeJob(new Transactions(app), new Metrics('auth'));
    const purged = await job.run(NOW, 2);
    expect(purged).not.toBeNull();
    // Other tests' tenantless rows are recent: only these six are past a window.
    expect(purged!.audit_log).toBe(6);
    expect(await actions(custom)).toEqual(['inside']);
    expect(await actions(defaults)).toEqual(['inside']);
    // The app role still cannot delete audit events itself.
    await expect(withTenant(app, custom, (m) => m.query(`delete from audit_events`))).rejects.toThrow(
      /permission denied/,
    );
  });
});
