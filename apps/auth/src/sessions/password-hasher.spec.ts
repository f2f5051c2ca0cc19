import { loadAuthConfig } from '../config';
import { PasswordHasher } from './password-hasher';

const hasher = (memoryKiB: number) =>
  new PasswordHasher(
    loadAuthConfig({
      NODE_ENV: 'test',
      KAFKA_BROKERS: 'k:1',
      DATABASE_URL: 'postgres://a@b/c',
      AUTH_ARGON2_MEMORY_KIB: String(memoryKiB),
    }),
  );

describe('PasswordHasher (Argon2id)', () => {
  it('hashes with Argon2id and the configured parameters, and verifies', async () => {
    const current = hasher(19_456);
    await current.onModuleInit();
    const hash = await current.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await current.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await current.verify(hash, 'correct horse battery stapler')).toBe(false);
    expect(await current.verify('not a hash', 'x')).toBe(false);
  });

  it('fails an unknown user after checking a decoy', async () => {
    const current = hasher(19_456);
    await current.onModuleInit();
    expect(await current.verify(undefined, 'decoy password never matched')).toBe(false);
  });

  it('asks for a rehash when the parameters changed', async () => {
    const old = await hasher(8_192).hash('correct horse battery staple');
    expect(hasher(19_456).needsRehash(old)).toBe(true);
    expect(hasher(8_192).needsRehash(old)).toBe(false);
  });
});
