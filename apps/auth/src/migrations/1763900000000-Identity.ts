import { enableTenantRls } from '@sextant/platform/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users, credentials and sessions span tenants (no RLS: login finds a user by email before any
 * tenant is known; sessions are reached only through the hash of a secret). Everything of a
 * tenant (the tenant row, memberships, invites, API keys, audit) is under RLS.
 */
export class Identity1763900000000 implements MigrationInterface {
  name = 'Identity1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE auth.users (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      email_normalized text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await runner.query(`CREATE TABLE auth.signing_keys (
      kid text PRIMARY KEY,
      public_jwk jsonb NOT NULL,
      private_key_sealed text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      signs_from timestamptz NOT NULL,
      retires_at timestamptz)`);
    await runner.query(`CREATE TABLE auth.login_throttle (
      throttle_key text PRIMARY KEY,
      failures integer NOT NULL,
      last_failure_at timestamptz NOT NULL,
      locked_until timestamptz)`);
    await runner.query(`CREATE TABLE auth.refresh_families (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_reason text)`);
    await runner.query(`CREATE INDEX refresh_families_user ON auth.refresh_families (user_id)`);
    await runner.query(`CREATE TABLE auth.refresh_tokens (
      token_hash text PRIMARY KEY,
      family_id uuid NOT NULL REFERENCES auth.refresh_families(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      idle_expires_at timestamptz NOT NULL,
      used_at timestamptz)`);
    await runner.query(`CREATE INDEX refresh_tokens_family ON auth.refresh_tokens (family_id)`);

    await runner.query(`CREATE TABLE auth.tenants (
      tenant_id uuid PRIMARY KEY,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    await enableTenantRls(runner, 'auth.tenants');
    await runner.query(`CREATE TABLE auth.memberships (
      tenant_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, user_id))`);
    await enableTenantRls(runner, 'auth.memberships');
    // Login (no tenant yet) reads the memberships of the user whose password it just verified.
    await runner.query(`CREATE POLICY memberships_of_current_user ON auth.memberships FOR SELECT
      USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)`);
    await runner.query(`CREATE TABLE auth.invites (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      email_normalized text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
      token_hash text NOT NULL UNIQUE,
      invited_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz)`);
    await enableTenantRls(runner, 'auth.invites');
    await runner.query(`CREATE TABLE auth.api_keys (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      name text NOT NULL,
      prefix text NOT NULL,
      key_hash text NOT NULL UNIQUE,
      scopes text[] NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz)`);
    await enableTenantRls(runner, 'auth.api_keys');
    await runner.query(`CREATE TABLE auth.audit_events (
      id bigserial PRIMARY KEY,
      tenant_id uuid,
      action text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
      actor_id uuid,
      subject_id text,
      ip text,
      detail jsonb NOT NULL DEFAULT '{}',
      occurred_at timestamptz NOT NULL DEFAULT now())`);
    await runner.query(`CREATE INDEX audit_events_tenant ON auth.audit_events (tenant_id, id DESC)`);
    await enableTenantRls(runner, 'auth.audit_events');
    // Attempts that belong to no tenant (a failed login) are recorded with tenant_id NULL: no
    // tenant sees them; operators do.
    await runner.query(`CREATE POLICY audit_events_without_tenant ON auth.audit_events FOR INSERT
      WITH CHECK (tenant_id IS NULL)`);
    // Append-only for the app role.
    await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON auth.audit_events FROM auth_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'api_keys',
      'invites',
      'memberships',
      'tenants',
      'refresh_tokens',
      'refresh_families',
      'login_throttle',
      'signing_keys',
      'users',
    ])
      await runner.query(`DROP TABLE auth.${table}`);
  }
}
