/**
 * Typed, validated configuration from the environment. A service declares its variables once
 * (name, type, default, what it is for); `loadConfig` reads them all and throws one error that
 * names every missing or invalid variable, so start-up fails fast with the whole list.
 */
export interface Variable<T> {
  readonly doc: string;
  readonly secret?: boolean;
  parse(raw: string | undefined): T;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

class VariableError extends Error {}

type Options<T> = { doc: string; default?: T; secret?: boolean };

function variable<T>(options: Options<T>, convert: (raw: string) => T): Variable<T> {
  return {
    doc: options.doc,
    secret: options.secret,
    parse(raw) {
      if (raw === undefined || raw === '') {
        if (options.default !== undefined) return options.default;
        throw new VariableError('is required but not set');
      }
      return convert(raw);
    },
  };
}

export const env = {
  string: (options: Options<string>) => variable(options, (raw) => raw),

  int: (options: Options<number> & { min?: number; max?: number }) =>
    variable(options, (raw) => {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value))
        throw new VariableError(`must be an integer, got '${raw}'`);
      if (options.min !== undefined && value < options.min)
        throw new VariableError(`must be >= ${options.min}, got ${value}`);
      if (options.max !== undefined && value > options.max)
        throw new VariableError(`must be <= ${options.max}, got ${value}`);
      return value;
    }),

  bool: (options: Options<boolean>) =>
    variable(options, (raw) => {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new VariableError(`must be true or false, got '${raw}'`);
    }),

  url: (options: Options<string> & { protocols: string[] }) =>
    variable(options, (raw) => checkedUrl(raw, options.protocols)),

  /** Several URLs separated by commas (at least one), each checked as `url` checks one. */
  urls: (options: Options<string[]> & { protocols: string[] }) =>
    variable(options, (raw) => {
      const urls = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (urls.length === 0) throw new VariableError('must list at least one URL');
      return urls.map((url) => checkedUrl(url, options.protocols));
    }),

  oneOf: <T extends string>(values: readonly T[], options: Options<T>) =>
    variable(options, (raw) => {
      if (!values.includes(raw as T))
        throw new VariableError(`must be one of ${values.join(', ')}, got '${raw}'`);
      return raw as T;
    }),

  list: (options: Options<string[]>) =>
    variable(options, (raw) => {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0) throw new VariableError('must list at least one value');
      return items;
    }),
};

function checkedUrl(raw: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new VariableError(`must be a URL, got '${raw}'`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new VariableError(`must be a ${protocols.join(' or ')} URL, got ${url.protocol}`);
  }
  return raw;
}

export type ConfigSpec = Record<string, Variable<unknown>>;
export type ConfigOf<S extends ConfigSpec> = {
  readonly [K in keyof S]: S[K] extends Variable<infer T> ? T : never;
};

export function loadConfig<S extends ConfigSpec>(
  spec: S,
  source: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(spec)) {
    try {
      config[name] = definition.parse(source[name]);
    } catch (error) {
      if (!(error instanceof VariableError)) throw error;
      problems.push(`${name} ${error.message} (${definition.doc})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config) as ConfigOf<S>;
}
