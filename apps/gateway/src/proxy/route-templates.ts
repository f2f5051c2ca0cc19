import type { OpenApiDocument } from '@sextant/contracts';

/** What the gateway needs to know about the contract operation a request belongs to. */
export interface OperationInfo {
  template: string;
  /** The operation says `security: []`: no credential needed. */
  public: boolean;
  /** The permission its `x-sextant-permission` names, if any. */
  permission?: string;
}

interface Template {
  template: string;
  segments: (string | null)[];
  operations: Map<string, OperationInfo>;
  literalSegments: number;
}

/**
 * Finds the contract operation a request path belongs to (`/api/v1/reporting/pings/123` ->
 * `/api/v1/reporting/pings/{pingId}`): to label metrics by route without unbounded label values,
 * and to know whether the operation is public. Literal paths are one map lookup; templated paths
 * are compared segment by segment (no regular expressions, no per-request allocations besides the
 * split).
 */
export class RouteTemplates {
  private readonly literal = new Map<string, Map<string, OperationInfo>>();
  private readonly templated: Template[];

  constructor(document: OpenApiDocument) {
    const rootSecurity = (document as { security?: unknown[] }).security;
    const templated: Template[] = [];
    for (const [template, item] of Object.entries(document.paths)) {
      const operations = new Map<string, OperationInfo>();
      for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
        if (typeof operation !== 'object' || operation === null || method === 'parameters') continue;
        const op = operation as { security?: unknown[]; 'x-sextant-permission'?: string };
        const security = op.security ?? rootSecurity;
        operations.set(method.toUpperCase(), {
          template,
          public: Array.isArray(security) && security.length === 0,
          permission: op['x-sextant-permission'],
        });
      }
      if (!template.includes('{')) {
        this.literal.set(template, operations);
        continue;
      }
      const segments = template.split('/').map((s) => (s.startsWith('{') ? null : s));
      templated.push({
        template,
        segments,
        operations,
        literalSegments: segments.filter((s) => s !== null).length,
      });
    }
    // Literal segments win over parameters: /things/export before /things/{id}.
    this.templated = templated.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** The operation of a request, or undefined when the contract has none for it. */
  find(method: string, url: string): OperationInfo | undefined {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const exact = this.literal.get(path)?.get(method);
    if (exact) return exact;
    const parts = path.split('/');
    for (const t of this.templated) {
      if (t.segments.length !== parts.length) continue;
      let matches = true;
      for (let i = 0; i < parts.length && matches; i++) {
        const expected = t.segments[i];
        matches = expected === null ? parts[i].length > 0 : expected === parts[i];
      }
      if (matches) {
        const operation = t.operations.get(method);
        if (operation) return operation;
      }
    }
    return undefined;
  }

  match(method: string, url: string): string | undefined {
    return this.find(method, url)?.template;
  }
}
