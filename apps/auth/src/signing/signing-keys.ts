import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ACCESS_TOKEN_TYPE } from '@sextant/platform/auth';
import { Transactions } from '@sextant/platform/database';
import { Metrics } from '@sextant/platform/http';
import { Gauge } from 'prom-client';
import {
  createLocalJWKSet,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyLike,
  SignJWT,
} from 'jose';
import { AUTH_CONFIG, type AuthConfig } from '../config';
import { randomUUID } from 'node:crypto';
import { unsealText } from '@sextant/platform/config';
import { algorithmOf, lockSigningKeys, newSealedKey } from './key-rotation';

interface SigningKeyRow {
  kid: string;
  public_jwk: JWK;
  private_key_sealed: string;
  signs_from: Date;
}

/**
 * The keys (RS256; older ones ES256) that sign access tokens, stored in auth.signing_keys with the private half sealed
 * (AES-256-GCM). The first replica to start without a key makes one (under an advisory lock, so
 * replicas agree). Every key that is not retired is published in the JWKS.
 */
@Injectable()
export class SigningKeys implements OnModuleInit, OnModuleDestroy {
  private signingKey?: { kid: string; alg: 'RS256' | 'ES256'; key: KeyLike; since: Date };
  private published: JWK[] = [];
  private localSet?: JWTVerifyGetKey;
  private lastReload = 0;
  private readonly keyEncryptionKey: Buffer;
  private reloadTimer?: NodeJS.Timeout;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly transactions: Transactions,
    metrics: Metrics,
  ) {
    this.keyEncryptionKey = Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64');
    const activeKeySince = () => this.signingKey?.since;
    new Gauge({
      name: 'auth_signing_key_age_seconds',
      help: 'Age of the key signing access tokens now (rotate before it grows old: alert SextantSigningKeyNotRotated)',
      registers: [metrics.registry],
      collect() {
        const since = activeKeySince();
        if (since) this.set((Date.now() - since.getTime()) / 1000);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.load();
    // Picks up rotations: a published next key starts signing once its time has come.
    this.reloadTimer = setInterval(
      () => void this.load().catch((error) => new Logger('SigningKeys').error(error)),
      this.config.AUTH_KEY_RELOAD_SECONDS * 1000,
    ).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reloadTimer);
  }

  async load(): Promise<void> {
    const rows = await this.transactions.system(async (manager) => {
      await lockSigningKeys(manager);
      const current: SigningKeyRow[] = await manager.query(
        `select kid, public_jwk, private_key_sealed, signs_from from signing_keys
         where retires_at is null or retires_at > now() order by signs_from desc`,
      );
      if (current.some((k) => k.signs_from.getTime() <= Date.now())) return current;
      const created = await newSealedKey(this.keyEncryptionKey);
      await manager.query(
        `insert into signing_keys (kid, public_jwk, private_key_sealed, signs_from) values ($1, $2, $3, now())`,
        [created.kid, created.public_jwk, created.private_key_sealed],
      );
      return [{ ...created, signs_from: new Date() }, ...current];
    });
    const active = rows.find((k) => k.signs_from.getTime() <= Date.now())!;
    const privateJwk = JSON.parse(
      unsealText(active.private_key_sealed, this.keyEncryptionKey, active.kid),
    ) as JWK;
    const alg = algorithmOf(active.public_jwk);
    this.signingKey = {
      kid: active.kid,
      alg,
      key: (await importJWK(privateJwk, alg)) as KeyLike,
      since: active.signs_from,
    };
    this.published = rows.map((k) => ({
      ...k.public_jwk,
      kid: k.kid,
      alg: algorithmOf(k.public_jwk),
      use: 'sig',
    }));
    this.localSet = createLocalJWKSet({ keys: this.published });
    this.lastReload = Date.now();
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /** For the auth service's own guard: the published keys, reloaded when a token names an unknown kid. */
  readonly keyResolver: JWTVerifyGetKey = async (header, token) => {
    if (
      header.kid &&
      !this.published.some((k) => k.kid === header.kid) &&
      Date.now() - this.lastReload > 30_000
    )
      await this.load();
    return this.localSet!(header, token);
  };

  async sign(claims: JWTPayload & { sub: string }, ttlSeconds: number): Promise<string> {
    const { kid, alg, key } = this.signingKey!;
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.config.AUTH_ISSUER)
      .setAudience(this.config.AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .setJti(randomUUID())
      .sign(key);
  }
}
