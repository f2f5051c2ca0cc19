import type { OpenApiDocument } from '@sextant/contracts';
import { ContractValidator } from '@sextant/platform/http';

export interface ContractResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this exact text instead of JSON-encoding `body` (malformed input tests). */
  rawBody?: string;
}

/**
 * An HTTP client for tests that checks every response against the contract: an undocumented route,
 * status, content type or field fails the test, whatever the test itself asserts.
 */
export class ContractClient {
  private readonly validator: ContractValidator;

  constructor(
    readonly baseUrl: string,
    document: OpenApiDocument,
  ) {
    this.validator = new ContractValidator(document);
  }

  async request<T = unknown>(
    method: string,
    pathTemplate: string,
    options: RequestOptions = {},
  ): Promise<ContractResponse<T>> {
    const path = pathTemplate.replace(/\{([^}]+)\}/g, (_, name: string) =>
      encodeURIComponent(options.params?.[name] ?? `{${name}}`),
    );
    const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
    const hasBody = options.body !== undefined || options.rawBody !== undefined;
    const response = await fetch(`${this.baseUrl}${path}${query}`, {
      method,
      headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
    });
    const contentType = response.headers.get('content-type') ?? undefined;
    const text = await response.text();
    const body = contentType?.includes('json') && text ? JSON.parse(text) : text;
    const problems = this.validator.validateResponse(
      method,
      pathTemplate,
      response.status,
      contentType?.split(';')[0],
      body,
    );
    if (problems.length) {
      throw new Error(
        `${method} ${pathTemplate} -> ${response.status} breaks the contract:\n  ${problems.join('\n  ')}\nbody: ${text.slice(0, 500)}`,
      );
    }
    return { status: response.status, headers: response.headers, body: body as T };
  }
}
