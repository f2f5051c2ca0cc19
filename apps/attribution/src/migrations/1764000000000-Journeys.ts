import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Journeys (touchpoints, conversions with their rule-based credits, merged profiles), the tenant's
 * settings and data-driven runs. Written in SQL; the service reads and writes it with plain queries.
 */
export class Journeys1764000000000 implements MigrationInterface {
  name = 'Journeys1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE attribution.settings (
      tenant_id uuid PRIMARY KEY,
      lookback_days integer NOT NULL DEFAULT 30,
      half_life_days double precision NOT NULL DEFAULT 7,
      credit_direct_only_when_all_direct boolean NOT NULL DEFAULT true,
      direct_channels text[] NOT NULL DEFAULT ARRAY['Direct', 'direct', '(direct)'],
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await runner.query(`CREATE TABLE attribution.touchpoints (
      tenant_id uuid NOT NULL,
      event_id uuid NOT NULL,
      profile_id uuid NOT NULL,
      channel text NOT NULL,
      campaign text,
      source text,
      medium text,
      click_id text,
      touched_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, event_id))`);
    await runner.query(
      `CREATE INDEX touchpoints_profile_time ON attribution.touchpoints (tenant_id, profile_id, touched_at)`,
    );
    await runner.query(`CREATE INDEX touchpoints_time ON attribution.touchpoints (tenant_id, touched_at)`);
    await runner.query(`CREATE TABLE attribution.conversions (
      tenant_id uuid NOT NULL,
      order_id text NOT NULL,
      profile_id uuid,
      converted_at timestamptz NOT NULL,
      currency text NOT NULL,
      revenue_minor bigint NOT NULL,
      order_revision integer NOT NULL,
      credit_revision integer NOT NULL DEFAULT 0,
      touchpoints integer NOT NULL DEFAULT 0,
      credits jsonb NOT NULL DEFAULT '{}',
      computed_at timestamptz,
      PRIMARY KEY (tenant_id, order_id))`);
    await runner.query(
      `CREATE INDEX conversions_profile_time ON attribution.conversions (tenant_id, profile_id, converted_at)`,
    );
    await runner.query(`CREATE INDEX conversions_time ON attribution.conversions (tenant_id, converted_at)`);
    await runner.query(`CREATE TABLE attribution.merged_profiles (
      tenant_id uuid NOT NULL,
      merged_profile_id uuid NOT NULL,
      profile_id uuid NOT NULL,
      merged_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, merged_profile_id))`);
    await runner.query(`CREATE TABLE attribution.runs (
      tenant_id uuid NOT NULL,
      run_id uuid NOT NULL,
      model text NOT NULL,
      period_from date NOT NULL,
      period_to date NOT NULL,
      options jsonb NOT NULL,
      status text NOT NULL,
      progress double precision NOT NULL DEFAULT 0,
      error text,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      completed_at timestamptz,
      PRIMARY KEY (tenant_id, run_id),
      CONSTRAINT runs_status CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')))`);
    await runner.query(`CREATE INDEX runs_recent ON attribution.runs (tenant_id, created_at DESC)`);
    for (const table of ['settings', 'touchpoints', 'conversions', 'merged_profiles', 'runs'])
      await enableTenantRls(runner, `attribution.${table}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['runs', 'merged_profiles', 'conversions', 'touchpoints', 'settings'])
      await runner.query(`DROP TABLE attribution.${table}`);
  }
}
