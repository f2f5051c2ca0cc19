import type { OpenApiDocument } from '@sextant/contracts';

/**
 * Finds the contract operation a request path belongs to (`/api/v1/reporting/pings/123` ->
 * `/api/v1/reporting/pings/{pingId}`), to label metrics by route without unbounded label values.
 */
export class RouteTemplates {
  private readonly templates: { template: string; pattern: RegExp; methods: Set<string> }[];

  constructor(document: OpenApiDocument) {
    this.templates = Object.entries(document.paths)
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(
          `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
        ),
        methods: new Set(Object.keys(item).map((m) => m.toUpperCase())),
        literalSegments: template.split('/').filter((s) => !s.startsWith('{')).length,
      }))
      // Literal segments win over parameters: /things/export before /things/{id}.
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  match(method: string, url: string): string | undefined {
    const path = url.split('?')[0];
    return this.templates.find((t) => t.methods.has(method) && t.pattern.test(path))?.template;
  }
}
