import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TOTP MFA (sealed seeds, hashed recovery codes, login challenges), the tenant's "require MFA"
 * setting, the API-key exchange lookup, service-assertion replay protection, and audit events
 * recorded by other services (idempotent on their event id).
 */
export class MfaKeysAudit1764400000000 implements MigrationInterface {
  name = 'MfaKeysAudit1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    // Per user, like the password: MFA protects the person in every tenant they belong to.
    await runner.query(`ALTER TABLE auth.users
      ADD COLUMN totp_secret_sealed text,
      ADD COLUMN totp_pending_sealed text,
      ADD COLUMN totp_enabled_at timestamptz,
      ADD COLUMN totp_last_step bigint`);
    await runner.query(`CREATE TABLE auth.mfa_recovery_codes (
      user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      PRIMARY KEY (user_id, code_hash))`);
    // Reached only through the hash of the secret handed out after a correct password.
    await runner.query(`CREATE TABLE auth.mfa_challenges (
      token_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES auth.users(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('verify', 'enrol')),
      expires_at timestamptz NOT NULL,
      failures integer NOT NULL DEFAULT 0,
      used_at timestamptz)`);
    await runner.query(`ALTER TABLE auth.tenants ADD COLUMN require_mfa boolean NOT NULL DEFAULT false`);

    await runner.query(`CREATE TABLE auth.service_assertions (
      jti text PRIMARY KEY,
      service text NOT NULL,
      expires_at timestamptz NOT NULL)`);

    await runner.query(`ALTER TABLE auth.audit_events
      ALTER COLUMN actor_id TYPE text,
      ADD COLUMN event_id uuid UNIQUE,
      ADD COLUMN service text NOT NULL DEFAULT 'auth',
      ADD COLUMN actor_type text,
      ADD COLUMN request_id text`);
    await runner.query(`ALTER TABLE auth.audit_events DROP CONSTRAINT audit_events_outcome_check`);
    await runner.query(`ALTER TABLE auth.audit_events ADD CONSTRAINT audit_events_outcome_check
      CHECK (outcome IN ('success', 'failure', 'denied'))`);

    // API-key exchange: the key names its tenant, so the lookup cannot run under a tenant's RLS.
    // This function (owned by the schema owner, which a policy lets read api_keys for this
    // purpose) returns the one row whose hash matches and nothing else; the app role may call it
    // but still cannot read other tenants' keys.
    await runner.query(`CREATE POLICY api_keys_exchange_lookup ON auth.api_keys FOR SELECT TO CURRENT_USER
      USING (true)`);
    await runner.query(`CREATE FUNCTION auth.api_key_for_exchange(p_key_hash text)
      RETURNS TABLE (id uuid, tenant_id uuid, key_hash text, scopes text[], expires_at timestamptz,
                     revoked_at timestamptz, last_used_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
        SELECT k.id, k.tenant_id, k.key_hash, k.scopes, k.expires_at, k.revoked_at, k.last_used_at
        FROM auth.api_keys k WHERE k.key_hash = p_key_hash
      $$`);
    await runner.query(`REVOKE ALL ON FUNCTION auth.api_key_for_exchange(text) FROM PUBLIC`);
    await runner.query(`GRANT EXECUTE ON FUNCTION auth.api_key_for_exchange(text) TO auth_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION auth.api_key_for_exchange(text)`);
    await runner.query(`DROP POLICY api_keys_exchange_lookup ON auth.api_keys`);
    await runner.query(`ALTER TABLE auth.audit_events DROP CONSTRAINT audit_events_outcome_check`);
    await runner.query(`ALTER TABLE auth.audit_events
      DROP COLUMN request_id, DROP COLUMN actor_type, DROP COLUMN service, DROP COLUMN event_id,
      ADD CONSTRAINT audit_events_outcome_check CHECK (outcome IN ('success', 'failure'))`);
    await runner.query(`DROP TABLE auth.service_assertions`);
    await runner.query(`ALTER TABLE auth.tenants DROP COLUMN require_mfa`);
    await runner.query(`DROP TABLE auth.mfa_challenges`);
    await runner.query(`DROP TABLE auth.mfa_recovery_codes`);
    await runner.query(`ALTER TABLE auth.users DROP COLUMN totp_last_step, DROP COLUMN totp_enabled_at,
      DROP COLUMN totp_pending_sealed, DROP COLUMN totp_secret_sealed`);
  }
}
