import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { sha256 } from '../api-keys/api-key-format';

/**
 * Progressive throttling of failed logins, per account and per client address (ASVS V6.3): after
 * the allowed failures, each further failure locks the key for AUTH_LOCK_SECONDS, doubling up to
 * AUTH_MAX_LOCK_SECONDS. Locks always expire, so an attacker can slow an account down but never
 * lock its owner out for good; a successful login clears the account's count.
 */
@Injectable()
export class LoginThrottle {
  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  keysFor(email: string, ip: string) {
    return { account: `account:${sha256(email)}`, address: `ip:${ip}` };
  }

  /** Seconds until the next attempt is allowed (0: allowed now). */
  async retryAfter(manager: EntityManager, keys: string[]): Promise<number> {
    const [row] = await manager.query(
      `select ceil(extract(epoch from max(locked_until) - now()))::int as seconds
       from login_throttle where throttle_key = any($1) and locked_until > now()`,
      [keys],
    );
    return row?.seconds ?? 0;
  }

  async recordFailure(manager: EntityManager, key: string, allowedFailures: number): Promise<void> {
    const { AUTH_LOCK_SECONDS: lock, AUTH_MAX_LOCK_SECONDS: maxLock } = this.config;
    // Failures older than the longest lock are forgotten: the count starts again.
    await manager.query(
      `insert into login_throttle as t (throttle_key, failures, last_failure_at, locked_until)
       values ($1, 1, now(), case when 1 >= $2 then now() + make_interval(secs => $3) end)
       on conflict (throttle_key) do update set
         failures = case when t.last_failure_at < now() - make_interval(secs => $4) then 1 else t.failures + 1 end,
         last_failure_at = now(),
         locked_until = case
           when (case when t.last_failure_at < now() - make_interval(secs => $4) then 1 else t.failures + 1 end) >= $2
           then now() + make_interval(secs => least($4::float8, $3::float8 * power(2, greatest(0, t.failures + 1 - $2))))
           else t.locked_until end`,
      [key, allowedFailures, lock, maxLock],
    );
  }

  async clear(manager: EntityManager, key: string): Promise<void> {
    await manager.query(`delete from login_throttle where throttle_key = $1`, [key]);
  }
}
