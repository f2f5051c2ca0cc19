import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

describe('service start-up', () => {
  it.each(['ingestion', 'reporting', 'gateway'])(
    '%s fails fast naming each missing or invalid variable',
    (service) => {
      const result = spawnSync(process.execPath, [path.join(ROOT, 'dist/apps', service, 'src/main.js')], {
        env: { PATH: process.env.PATH, PORT: 'eighty' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Invalid configuration:');
      expect(result.stderr).toContain("PORT must be an integer, got 'eighty'");
      expect(result.stderr).toContain('KAFKA_BROKERS is required but not set');
      if (service !== 'gateway') expect(result.stderr).toContain('DATABASE_URL is required but not set');
    },
  );
});
