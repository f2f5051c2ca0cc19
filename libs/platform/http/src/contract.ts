import type { OpenApiDocument } from '@sextant/contracts';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from './problem';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const DOC_ID = 'contract';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Record<string, unknown>;
}

export interface ContractOperation {
  method: string;
  path: string;
  operationId?: string;
  pointer: string;
  operation: Record<string, unknown>;
}

/** `/pings/:pingId` (Fastify, Nest) -> `/pings/{pingId}` (OpenAPI). */
export function toOpenApiPath(routePath: string): string {
  return routePath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local refs are supported in bundled contracts: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
}

function deref<T>(doc: unknown, node: unknown): T {
  let current = node as { $ref?: string };
  while (current && typeof current.$ref === 'string')
    current = resolvePointer(doc, current.$ref) as { $ref?: string };
  return current as T;
}

/**
 * Validates requests and responses against a service's bundled OpenAPI 3.1 document: the
 * contract is the source of truth, so an undocumented route, status, content type or field
 * is an error. Used by services (requests) and tests (responses).
 */
export class ContractValidator {
  private readonly ajv: Ajv2020;
  private readonly ajvCoercing: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  readonly operations: ContractOperation[];

  constructor(readonly document: OpenApiDocument) {
    const options = { strict: false, allErrors: true, validateFormats: true } as const;
    this.ajv = new Ajv2020(options);
    this.ajvCoercing = new Ajv2020({ ...options, coerceTypes: 'array' });
    for (const ajv of [this.ajv, this.ajvCoercing]) {
      addFormats(ajv);
      ajv.addSchema(document as object, DOC_ID);
    }
    this.operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method: method.toUpperCase(),
        path,
        operationId: (item[method] as { operationId?: string }).operationId,
        pointer: `#/paths/${escapePointer(path)}/${method}`,
        operation: item[method] as Record<string, unknown>,
      })),
    );
  }

  find(method: string, openApiPath: string): ContractOperation | undefined {
    return this.operations.find((o) => o.method === method.toUpperCase() && o.path === openApiPath);
  }

  /** Validates path and query parameters (coerced from strings) and the JSON body. */
  validateRequest(
    op: ContractOperation,
    request: {
      params?: Record<string, unknown>;
      query?: Record<string, unknown>;
      body?: unknown;
      contentType?: string;
    },
  ): FieldError[] {
    const errors: FieldError[] = [];
    const declared = (op.operation.parameters as { $ref?: string }[] | undefined) ?? [];
    const parameters = declared.map((p, index) => ({
      ...deref<Parameter>(this.document, p),
      schemaPointer: `${p.$ref ?? `${op.pointer}/parameters/${index}`}/schema`,
    }));
    for (const name of Object.keys(request.query ?? {})) {
      if (!parameters.some((p) => p.in === 'query' && p.name === name))
        errors.push({ field: `/query/${name}`, message: 'is not a known parameter' });
    }
    for (const param of parameters) {
      if (param.in !== 'path' && param.in !== 'query') continue;
      const values = (param.in === 'path' ? request.params : request.query) ?? {};
      const value = values[param.name];
      if (value === undefined) {
        if (param.required) errors.push({ field: `/${param.in}/${param.name}`, message: 'is required' });
        continue;
      }
      const validate = this.compileParameter(param.schemaPointer);
      const holder = { value };
      if (!validate(holder))
        errors.push(...toFieldErrors(validate.errors ?? [], `/${param.in}/${param.name}`, '/value'));
      else values[param.name] = holder.value;
    }
    const body = deref<{ required?: boolean; content?: Record<string, { schema?: unknown }> }>(
      this.document,
      op.operation.requestBody,
    );
    if (body?.content) {
      const mediaTypes = Object.keys(body.content);
      const hasBody = request.body !== undefined && request.body !== null && request.body !== '';
      if (!hasBody) {
        if (body.required) errors.push({ field: '/body', message: 'a request body is required' });
      } else if (request.contentType && !mediaTypes.some((m) => request.contentType!.startsWith(m))) {
        errors.push({ field: '/body', message: `content type must be one of ${mediaTypes.join(', ')}` });
      } else {
        const media = mediaTypes.find((m) => request.contentType?.startsWith(m)) ?? mediaTypes[0];
        if (body.content[media]?.schema) {
          const bodyRef = (op.operation.requestBody as { $ref?: string }).$ref;
          const validate = this.compile(
            `${bodyRef ?? `${op.pointer}/requestBody`}/content/${escapePointer(media)}/schema`,
            this.ajv,
          );
          if (!validate(request.body)) errors.push(...toFieldErrors(validate.errors ?? [], '/body'));
        }
      }
    } else if (
      request.body !== undefined &&
      request.body !== null &&
      request.body !== '' &&
      op.method !== 'GET'
    ) {
      errors.push({ field: '/body', message: 'this operation takes no body' });
    }
    return errors;
  }

  /** Problems with a response: undocumented status or content type, or a body off its schema. */
  validateResponse(
    method: string,
    openApiPath: string,
    status: number,
    contentType: string | undefined,
    body: unknown,
  ): string[] {
    const op = this.find(method, openApiPath);
    if (!op) return [`${method} ${openApiPath} is not in the contract`];
    const responses = (op.operation.responses ?? {}) as Record<string, unknown>;
    const key =
      String(status) in responses
        ? String(status)
        : `${String(status)[0]}XX` in responses
          ? `${String(status)[0]}XX`
          : 'default';
    if (!(key in responses)) return [`${method} ${openApiPath} does not document status ${status}`];
    const responseRef = (responses[key] as { $ref?: string }).$ref;
    const response = deref<{ content?: Record<string, { schema?: unknown }> }>(this.document, responses[key]);
    if (!response.content)
      return body === undefined || body === '' || body === null ? [] : [`status ${status} documents no body`];
    const media = Object.keys(response.content).find((m) => contentType?.split(';')[0].trim() === m);
    if (!media)
      return [
        `status ${status} content type ${contentType} is not one of ${Object.keys(response.content).join(', ')}`,
      ];
    if (!response.content[media].schema) return [];
    const base = responseRef ?? `${op.pointer}/responses/${escapePointer(key)}`;
    const validate = this.compile(`${base}/content/${escapePointer(media)}/schema`, this.ajv);
    if (validate(body)) return [];
    return toFieldErrors(validate.errors ?? [], '').map((e) => `${e.field || '/'} ${e.message}`);
  }

  private compile(pointer: string, ajv: Ajv2020): ValidateFunction {
    return this.cached(`plain:${pointer}`, () => ajv.compile({ $ref: `${DOC_ID}${pointer}` }));
  }

  /** Parameters arrive as strings: validated inside a holder object so ajv can coerce them in place. */
  private compileParameter(pointer: string): ValidateFunction {
    return this.cached(`param:${pointer}`, () =>
      this.ajvCoercing.compile({ type: 'object', properties: { value: { $ref: `${DOC_ID}${pointer}` } } }),
    );
  }

  private cached(key: string, make: () => ValidateFunction): ValidateFunction {
    let validate = this.cache.get(key);
    if (!validate) {
      validate = make();
      this.cache.set(key, validate);
    }
    return validate;
  }
}

function toFieldErrors(errors: ErrorObject[], prefix: string, strip = ''): FieldError[] {
  return errors.map((e) => {
    let path = e.instancePath.startsWith(strip) ? e.instancePath.slice(strip.length) : e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path += `/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not allowed';
    }
    return { field: `${prefix}${path}`, message };
  });
}
