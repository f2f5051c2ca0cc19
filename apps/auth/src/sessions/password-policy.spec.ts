import { loadCommonPasswords, normaliseEmail, passwordProblem } from './password-policy';

describe('password policy', () => {
  const common = loadCommonPasswords();

  it('ships a list of thousands of common passwords', () => {
    expect(common.size).toBeGreaterThan(5_000);
    expect(common.has('password')).toBe(true);
    expect(common.has('#')).toBe(false);
  });

  it('accepts 8 to 128 characters with no composition rules', () => {
    expect(passwordProblem('all lowercase words here', common)).toBeUndefined();
    expect(passwordProblem('x'.repeat(128), common)).toBeUndefined();
    expect(passwordProblem('🔒🔒🔒🔒🔒🔒🔒🔒', common)).toBeUndefined();
  });

  it('refuses too short, too long and common passwords', () => {
    expect(passwordProblem('1234567', common)).toMatch(/at least 8/);
    expect(passwordProblem('🔒🔒🔒🔒🔒🔒🔒', common)).toMatch(/at least 8/);
    expect(passwordProblem('x'.repeat(129), common)).toMatch(/at most 128/);
    expect(passwordProblem('Password1', common)).toMatch(/too common/);
    expect(passwordProblem('QWERTYUIOP', common)).toMatch(/too common/);
  });

  it('normalises emails for lookup', () => {
    expect(normaliseEmail('  Alice@Example.COM ')).toBe('alice@example.com');
  });
});
