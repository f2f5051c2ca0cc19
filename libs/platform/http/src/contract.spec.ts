import type { OpenApiDocument } from '@sextant/contracts';
import { authOpenApiDocument, ingestionOpenApiDocument } from '@sextant/contracts';
import { ContractValidator, toOpenApiPath } from './contract';

const document: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10 } },
        ],
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '404': { $ref: '#/components/responses/NotFound' },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: { id: { type: 'string' }, size: { type: 'integer' } },
      },
      Problem: { type: 'object', required: ['status'], properties: { status: { type: 'integer' } } },
    },
    responses: {
      NotFound: {
        description: 'nf',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  },
};

describe('ContractValidator responses', () => {
  const validator = new ContractValidator(document);

  it('accepts a documented response', () => {
    expect(
      validator.validateResponse('GET', '/things/{id}', 200, 'application/json', { id: 'x', size: 2 }),
    ).toEqual([]);
    expect(
      validator.validateResponse('GET', '/things/{id}', 404, 'application/problem+json', { status: 404 }),
    ).toEqual([]);
  });

  it('fails an undocumented field', () => {
    expect(
      validator.validateResponse('GET', '/things/{id}', 200, 'application/json', { id: 'x', colour: 'red' }),
    ).toEqual(['/colour is not allowed']);
  });

  it('fails a wrong type, an undocumented status, content type or route', () => {
    expect(validator.validateResponse('GET', '/things/{id}', 200, 'application/json', { id: 1 })).toEqual([
      '/id must be string',
    ]);
    expect(validator.validateResponse('GET', '/things/{id}', 500, 'application/json', {})).toEqual([
      'GET /things/{id} does not document status 500',
    ]);
    expect(validator.validateResponse('GET', '/things/{id}', 200, 'text/plain', 'x')[0]).toContain(
      'content type text/plain',
    );
    expect(validator.validateResponse('POST', '/things/{id}', 200, 'application/json', {})).toEqual([
      'POST /things/{id} is not in the contract',
    ]);
  });
});

describe('ContractValidator requests', () => {
  const validator = new ContractValidator(document);
  const op = validator.find('GET', toOpenApiPath('/things/:id'))!;

  it('coerces and checks path and query parameters', () => {
    const query: Record<string, unknown> = { limit: '5' };
    expect(
      validator.validateRequest(op, { params: { id: '6f1c1f2e-4b9a-4b7e-9d62-1c0a2f6b3e11' }, query }),
    ).toEqual([]);
    expect(query.limit).toBe(5);
  });

  it('names each offending parameter', () => {
    expect(
      validator.validateRequest(op, { params: { id: 'nope' }, query: { limit: '50', other: '1' } }),
    ).toEqual([
      { field: '/query/other', message: 'is not a known parameter' },
      { field: '/path/id', message: 'must match format "uuid"' },
      { field: '/query/limit', message: 'must be <= 10' },
    ]);
  });

  it('validates a JSON body against the real ingestion contract, naming fields', () => {
    const ingestion = new ContractValidator(ingestionOpenApiDocument);
    const recordPing = ingestion.find('POST', '/api/v1/ingestion/pings')!;
    expect(recordPing.operationId).toBe('recordPing');
    const errors = ingestion.validateRequest(recordPing, {
      body: { note: 5, extra: true },
      contentType: 'application/json',
    });
    expect(errors).toEqual([
      { field: '/body/extra', message: 'is not allowed' },
      { field: '/body/note', message: 'must be string' },
    ]);
    expect(ingestion.validateRequest(recordPing, { body: undefined, contentType: undefined })).toEqual([
      { field: '/body', message: 'a request body is required' },
    ]);
    expect(ingestion.validateRequest(recordPing, { body: 'x', contentType: 'text/plain' })).toEqual([
      { field: '/body', message: 'content type must be one of application/json' },
    ]);
  });

  it('names each missing required field, through $refs to shared schemas (auth register)', () => {
    const auth = new ContractValidator(authOpenApiDocument);
    const register = auth.find('POST', '/api/v1/auth/register')!;
    const errors = auth.validateRequest(register, {
      body: { email: 'not an email' },
      contentType: 'application/json',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: '/body/tenantName', message: 'is required' },
        { field: '/body/password', message: 'is required' },
        { field: '/body/email', message: 'must match format "email"' },
      ]),
    );
    expect(errors).toHaveLength(3);
  });
});
