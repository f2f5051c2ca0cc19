import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { sealText } from '@sextant/platform/config';

export interface SealedKey {
  kid: string;
  public_jwk: JWK;
  private_key_sealed: string;
}

/**
 * The algorithm of new signing keys. RS256 rather than ES256: a service verifies an RSA-2048
 * signature about 3.5 times faster than a P-256 one (public exponent 65537), which is what lets
 * one core verify 20,000 tokens a second; signing, once per login or refresh, is the slower side.
 */
export const SIGNING_ALGORITHM = 'RS256';

/** The JWS algorithm of a stored key: keys made before RS256 (EC, P-256) keep verifying as ES256. */
export const algorithmOf = (jwk: JWK): 'RS256' | 'ES256' => (jwk.kty === 'EC' ? 'ES256' : 'RS256');

/** A new RS256 (RSA-2048) key pair, the private half sealed under the key-encryption key. */
export async function newSealedKey(keyEncryptionKey: Buffer): Promise<SealedKey> {
  const kid = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, {
    modulusLength: 2048,
    extractable: true,
  });
  const { kty, n, e } = await exportJWK(publicKey);
  return {
    kid,
    public_jwk: { kty, n, e },
    private_key_sealed: sealText(JSON.stringify(await exportJWK(privateKey)), keyEncryptionKey, kid),
  };
}

/** Serialises key changes across replicas and the rotation command (transaction-scoped). */
export const lockSigningKeys = (manager: EntityManager) =>
  manager.query(`select pg_advisory_xact_lock(hashtext('auth.signing_keys'))`);

export interface Rotation {
  kid: string;
  signsFrom: Date;
  /** When the keys it replaces leave the JWKS. */
  previousRetireAt: Date;
}

/**
 * Rotates the signing key: the next key is published now and signs from `publishAheadSeconds`
 * on (so every verifier has fetched it before it is used); the keys it replaces stay published
 * until `retireAfterSeconds` after that (the longest access-token lifetime), then drop out.
 * A rotation already waiting is returned as it is.
 */
export async function rotateSigningKey(
  manager: EntityManager,
  keyEncryptionKey: Buffer,
  options: { publishAheadSeconds: number; retireAfterSeconds: number },
): Promise<Rotation> {
  await lockSigningKeys(manager);
  const [pending] = await manager.query(
    `select kid, signs_from from signing_keys where signs_from > now() order by signs_from desc limit 1`,
  );
  const [previous] = await manager.query(
    `select max(retires_at) as retire_at from signing_keys where signs_from <= now()`,
  );
  if (pending)
    return {
      kid: pending.kid,
      signsFrom: pending.signs_from,
      previousRetireAt: previous.retire_at ?? pending.signs_from,
    };
  const key = await newSealedKey(keyEncryptionKey);
  const [{ signs_from }] = await manager.query(
    `insert into signing_keys (kid, public_jwk, private_key_sealed, signs_from)
     values ($1, $2, $3, now() + make_interval(secs => $4)) returning signs_from`,
    [key.kid, key.public_jwk, key.private_key_sealed, options.publishAheadSeconds],
  );
  const [[retired]] = await manager.query(
    `update signing_keys set retires_at = $1::timestamptz + make_interval(secs => $2)
     where signs_from <= now() and (retires_at is null or retires_at > now()) returning retires_at`,
    [signs_from, options.retireAfterSeconds],
  );
  return { kid: key.kid, signsFrom: signs_from, previousRetireAt: retired?.retires_at ?? signs_from };
}
