import { breakingChanges, type Document, operationChanges, parseApprovedChanges } from './breaking-changes';

const base = (): Document =>
  ({
    paths: {
      '/api/v1/things': {
        get: {
          parameters: [{ in: 'query', name: 'limit', required: false, schema: { type: 'integer' } }],
          responses: { '200': { $ref: '#/components/responses/ThingList' } },
        },
        post: {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/NewThing' } } },
          },
          responses: { '201': { description: 'made' } },
        },
      },
      '/api/v1/things/{id}': { delete: { responses: { '204': { description: 'gone' } } } },
    },
    components: {
      responses: {
        ThingList: {
          description: 'things',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['items'],
                properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } },
              },
            },
          },
        },
      },
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'string' }, name: { type: 'string' }, colour: { type: 'string' } },
        },
        NewThing: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['a', 'b'] } },
        },
      },
    },
  }) as unknown as Document;

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function changed(edit: (doc: Mutable) => void): string[] {
  const after = structuredClone(base()) as Mutable;
  edit(after);
  return breakingChanges(base(), after as Document);
}

describe('breakingChanges', () => {
  it('finds nothing between a document and itself, nor for additions a client can ignore', () => {
    expect(breakingChanges(base(), base())).toEqual([]);
    expect(
      changed((d) => {
        d.paths['/api/v1/new'] = { get: { responses: { '200': { description: 'x' } } } };
        d.components.schemas.Thing.properties.size = { type: 'integer' };
        d.components.schemas.NewThing.properties.note = { type: 'string' };
        d.paths['/api/v1/things'].get.parameters.push({ in: 'query', name: 'q', schema: { type: 'string' } });
        d.components.schemas.NewThing.properties.kind.enum.push('c');
      }),
    ).toEqual([]);
  });

  it('reports a removed operation', () => {
    expect(changed((d) => delete d.paths['/api/v1/things/{id}'])).toEqual([
      'operation-removed DELETE /api/v1/things/{id}',
    ]);
  });

  it('reports new required request fields and parameters, through $refs', () => {
    expect(
      changed((d) => {
        d.components.schemas.NewThing.required.push('kind');
        d.components.schemas.NewThing.properties.owner = { type: 'string' };
        d.components.schemas.NewThing.required.push('owner');
        d.paths['/api/v1/things'].get.parameters[0].required = true;
        d.paths['/api/v1/things'].get.parameters.push({ in: 'header', name: 'x-shop', required: true });
      }),
    ).toEqual([
      'request-parameter-became-required GET /api/v1/things query:limit',
      'request-property-became-required POST /api/v1/things /body/kind',
      'request-required-parameter-added GET /api/v1/things header:x-shop',
      'request-required-property-added POST /api/v1/things /body/owner',
    ]);
  });

  it('reports response fields removed or made optional, in arrays too, and narrowed or widened types', () => {
    expect(
      changed((d) => {
        delete d.components.schemas.Thing.properties.colour;
        d.components.schemas.Thing.required = ['id'];
        d.components.schemas.Thing.properties.id.type = ['string', 'null'];
        d.components.schemas.NewThing.properties.name.type = 'integer';
        d.components.schemas.NewThing.properties.kind.enum = ['a'];
      }),
    ).toEqual([
      'request-enum-value-removed POST /api/v1/things /body/kind b',
      'request-property-type-narrowed POST /api/v1/things /body/name',
      'response-property-became-optional GET /api/v1/things 200/items[]/name',
      'response-property-removed GET /api/v1/things 200/items[]/colour',
      'response-property-type-widened GET /api/v1/things 200/items[]/id',
    ]);
  });

  it('reports a removed success status and a request field the server now refuses', () => {
    expect(
      changed((d) => {
        d.paths['/api/v1/things'].post.responses = { '200': { description: 'made' } };
        delete d.components.schemas.NewThing.properties.kind;
      }),
    ).toEqual([
      'request-property-removed POST /api/v1/things /body/kind',
      'response-success-status-removed POST /api/v1/things 201',
    ]);
  });
});

describe('parseApprovedChanges and operationChanges', () => {
  it('reads ids and ignores comments and blank lines', () => {
    expect(parseApprovedChanges('# header\n\noperation-removed GET /x # replaced by /y\n')).toEqual(
      new Set(['operation-removed GET /x']),
    );
  });

  it('lists operations added and removed', () => {
    const after = structuredClone(base()) as Mutable;
    after.paths['/api/v1/new'] = { get: {} };
    delete after.paths['/api/v1/things'].post;
    expect(operationChanges(base(), after as Document)).toEqual({
      added: ['GET /api/v1/new'],
      removed: ['POST /api/v1/things'],
    });
  });
});
