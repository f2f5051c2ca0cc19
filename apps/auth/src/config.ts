import { commonConfig, databaseConfig, env, loadConfig } from '@sextant/platform/config';

export const authConfigSpec = {
  ...commonConfig,
  ...databaseConfig,
  PORT: env.int({ doc: 'HTTP port', default: 3001, min: 1, max: 65535 }),
};

export const loadAuthConfig = (source = process.env) => loadConfig(authConfigSpec, source);
export type AuthConfig = ReturnType<typeof loadAuthConfig>;
