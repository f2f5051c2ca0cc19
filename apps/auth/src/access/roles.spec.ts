import { mayAssign, permissionsOf, ROLE_PERMISSIONS, ROLES } from './roles';

describe('role permissions', () => {
  it('gives each role its permissions, each lower role a subset of the one above', () => {
    expect(permissionsOf('viewer')).toEqual(['reports:read', 'members:read']);
    expect(permissionsOf('analyst')).not.toContain('members:manage');
    expect(permissionsOf('admin')).toEqual(
      expect.arrayContaining(['members:manage', 'keys:manage', 'audit:read']),
    );
    const order = ['viewer', 'analyst', 'admin', 'owner'] as const;
    for (let i = 1; i < order.length; i++)
      expect(ROLE_PERMISSIONS[order[i]]).toEqual(expect.arrayContaining([...ROLE_PERMISSIONS[order[i - 1]]]));
    expect(ROLES.sort()).toEqual(['admin', 'analyst', 'owner', 'viewer']);
  });

  it('lets only an owner grant, change or remove the owner role', () => {
    expect(mayAssign('owner', 'viewer', 'owner')).toBe(true);
    expect(mayAssign('owner', 'owner', undefined)).toBe(true);
    expect(mayAssign('admin', 'viewer', 'admin')).toBe(true);
    expect(mayAssign('admin', 'viewer', 'owner')).toBe(false);
    expect(mayAssign('admin', 'owner', 'viewer')).toBe(false);
    expect(mayAssign('admin', 'owner', undefined)).toBe(false);
  });
});
