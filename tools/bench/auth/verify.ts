// Access-token verifications per second on one core with a cached JWKS (the platform verifier,
// keys fetched once over HTTP from a local JWKS endpoint): every call checking the signature
// (cacheSize 0) for RS256 (what auth signs) and ES256 (the baseline it replaced), and with the
// verified-token cache (a client's repeated token); and Argon2id hashing/verification time
// at the auth service's default parameters. Baselines in the same run: jose's jwtVerify on the
// same token and key set (what the verifier used before), and bare RSA-2048 crypto.verify (the ceiling).
// Median of several runs.
//   node dist/tools/bench/auth/verify.js [runs=5]
import { AccessTokenVerifier, remoteKeySet } from '@sextant/platform/auth';
import argon2 from 'argon2';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const runs = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function ratePerSecond(run: () => unknown): Promise<number[]> {
  return (async () => {
    const rates: number[] = [];
    for (let round = 0; round < runs; round++) {
      const started = process.hrtime.bigint();
      let count = 0;
      while (process.hrtime.bigint() - started < 2_000_000_000n) {
        await run();
        count++;
      }
      rates.push(count / (Number(process.hrtime.bigint() - started) / 1e9));
    }
    return rates;
  })();
}

function rawRsaVerifications(): Promise<number[]> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(400, 'x');
  const signature = sign('sha256', data, privateKey);
  return ratePerSecond(() => verify('sha256', data, publicKey, signature));
}

type Verifier = 'sextant' | 'jose';

async function verifications(
  cacheSize: number,
  alg: 'RS256' | 'ES256',
  verifierKind: Verifier = 'sextant',
): Promise<number[]> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg, use: 'sig' };
  const server = createServer((_, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const verifier = new AccessTokenVerifier({
    issuer: 'bench',
    audience: 'bench',
    keys: remoteKeySet(url),
    cacheSize,
  });
  const token = await new SignJWT({ tid: randomUUID(), perms: ['reports:read'] })
    .setProtectedHeader({ alg, kid: 'bench', typ: 'at+jwt' })
    .setIssuer('bench')
    .setAudience('bench')
    .setSubject(randomUUID())
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime('10m')
    .sign(privateKey);
  const joseKeys = createRemoteJWKSet(new URL(url));
  const joseOptions = { algorithms: [alg], issuer: 'bench', audience: 'bench', typ: 'at+jwt' };
  const verifyOnce =
    verifierKind === 'sextant' ? () => verifier.verify(token) : () => jwtVerify(token, joseKeys, joseOptions);
  await verifyOnce();
  const rates = await ratePerSecond(verifyOnce);
  server.close();
  return rates;
}

async function argon2Times(): Promise<{ hash: number[]; verify: number[] }> {
  const options = { type: argon2.argon2id as 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  const hash: number[] = [];
  const verify: number[] = [];
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    const hashed = await argon2.hash('correct horse battery staple', options);
    hash.push(performance.now() - started);
    started = performance.now();
    await argon2.verify(hashed, 'correct horse battery staple');
    verify.push(performance.now() - started);
  }
  return { hash, verify };
}

async function main() {
  const rates = await verifications(0, 'RS256');
  const es256Rates = await verifications(0, 'ES256');
  const cachedRates = await verifications(10_000, 'RS256');
  const joseRates = await verifications(0, 'RS256', 'jose');
  const rawRates = await rawRsaVerifications();
  const { hash, verify } = await argon2Times();
  process.stdout.write(
    `${JSON.stringify(
      {
        runs,
        rs256VerificationsPerSecond: Math.round(median(rates)),
        rs256VerificationRuns: rates.map(Math.round),
        es256VerificationsPerSecond: Math.round(median(es256Rates)),
        es256VerificationRuns: es256Rates.map(Math.round),
        baselineJoseJwtVerifyRs256PerSecond: Math.round(median(joseRates)),
        baselineRawRsa2048VerifyPerSecond: Math.round(median(rawRates)),
        cachedTokenVerificationsPerSecond: Math.round(median(cachedRates)),
        cachedVerificationRuns: cachedRates.map(Math.round),
        argon2id: {
          memoryKiB: 19_456,
          iterations: 2,
          parallelism: 1,
          hashMs: +median(hash).toFixed(1),
          verifyMs: +median(verify).toFixed(1),
        },
      },
      null,
      2,
    )}\n`,
  );
}

void main();
