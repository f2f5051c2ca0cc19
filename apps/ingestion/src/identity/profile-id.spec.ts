import { profileIdFor, uuidV5 } from './profile-id';

describe('name-based profile ids', () => {
  it('match the published version-5 UUIDs', () => {
    // Python's uuid documentation: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org')
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('depend on the tenant and the key, and nothing else', () => {
    const tenant = '3f2c8a4e-5b1d-4c7e-9a6f-0e8d7c6b5a49';
    expect(profileIdFor(tenant, 'user:42')).toBe(profileIdFor(tenant, 'user:42'));
    expect(profileIdFor(tenant, 'user:42')).not.toBe(profileIdFor(tenant, 'anon:42'));
    expect(profileIdFor(tenant, 'user:42')).not.toBe(
      profileIdFor('9b1c6f1e-0d6e-4b43-8a53-3c5f0f3a1d11', 'user:42'),
    );
  });
});
