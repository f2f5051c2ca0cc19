import { ConfigError, env, loadConfig } from './index';

describe('loadConfig', () => {
  const spec = {
    PORT: env.int({ doc: 'HTTP port', default: 3000, min: 1, max: 65535 }),
    DATABASE_URL: env.url({ doc: 'PostgreSQL URL', protocols: ['postgres', 'postgresql'] }),
    KAFKA_BROKERS: env.list({ doc: 'brokers' }),
    MODE: env.oneOf(['a', 'b'] as const, { doc: 'mode', default: 'a' }),
    FLAG: env.bool({ doc: 'flag', default: false }),
  };

  it('parses and types every variable, applying defaults', () => {
    const config = loadConfig(spec, {
      DATABASE_URL: 'postgres://u:p@h:5432/db',
      KAFKA_BROKERS: 'a:1, b:2',
      FLAG: 'yes',
    });
    expect(config).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://u:p@h:5432/db',
      KAFKA_BROKERS: ['a:1', 'b:2'],
      MODE: 'a',
      FLAG: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('fails naming every missing or invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig(spec, { PORT: '70000', DATABASE_URL: 'mysql://x', MODE: 'c', FLAG: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.find((p) => p.startsWith('PORT '))).toContain('must be <= 65535');
    expect(problems.find((p) => p.startsWith('DATABASE_URL '))).toContain(
      'must be a postgres or postgresql URL',
    );
    expect(problems.find((p) => p.startsWith('KAFKA_BROKERS '))).toContain(
      'is required but not set (brokers)',
    );
    expect(problems.find((p) => p.startsWith('MODE '))).toContain('must be one of a, b');
    expect(problems.find((p) => p.startsWith('FLAG '))).toContain('must be true or false');
    expect((error as Error).message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it('rejects integers written loosely', () => {
    expect(() => loadConfig({ N: env.int({ doc: 'n' }) }, { N: '12abc' })).toThrow(
      "N must be an integer, got '12abc'",
    );
    expect(() => loadConfig({ N: env.int({ doc: 'n' }) }, { N: '1.5' })).toThrow('must be an integer');
  });

  it('reads a list of URLs, checking each', () => {
    const urls = { UP: env.urls({ doc: 'replicas', protocols: ['http'] }) };
    expect(loadConfig(urls, { UP: 'http://a:1, http://b:2/x' }).UP).toEqual(['http://a:1', 'http://b:2/x']);
    expect(() => loadConfig(urls, { UP: 'http://a:1,ftp://b' })).toThrow('must be a http URL, got ftp:');
    expect(() => loadConfig(urls, { UP: 'http://a:1,nope' })).toThrow("must be a URL, got 'nope'");
    expect(() => loadConfig(urls, { UP: ' , ' })).toThrow('must list at least one URL');
  });
});
