import { Controller, Get, Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenApiDocument } from '@sextant/contracts';
import { ContractValidator, ProblemFilter } from '@sextant/platform/http';
import { createLocalJWKSet, exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { AccessTokenVerifier, type VerifiedIdentity } from './access-token';
import { AccessControlModule } from './access-control.module';
import { CurrentIdentity, RequirePermissions } from './access.guard';

const contract: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'guarded', version: '1' },
  security: [{ bearerAuth: [] }],
  paths: {
    '/open': { get: { operationId: 'open', security: [], responses: {} } },
    '/mine': { get: { operationId: 'mine', responses: {} } },
    '/admin': { get: { operationId: 'admin', responses: {} } },
    '/audit': { get: { operationId: 'audit', 'x-sextant-permission': 'audit:read', responses: {} } },
  },
};

@Controller()
class GuardedController {
  @Get('open')
  open() {
    return { open: true };
  }
  @Get('mine')
  mine(@CurrentIdentity() identity: VerifiedIdentity) {
    return { userId: identity.userId };
  }
  @Get('admin')
  @RequirePermissions('members:manage')
  admin() {
    return { admin: true };
  }
  @Get('audit')
  audit() {
    return { audit: true };
  }
  @Get('undocumented')
  undocumented() {
    return { leaked: true };
  }
}

describe('AccessGuard', () => {
  let app: NestFastifyApplication;
  let privateKey: KeyLike;
  const userId = randomUUID();

  const token = (perms: string[]) =>
    new SignJWT({ tid: randomUUID(), perms })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .setIssuer('iss')
      .setAudience('aud')
      .setSubject(userId)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime('1m')
      .sign(privateKey);
  const get = (url: string, authorization?: string) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    @Global()
    @Module({
      providers: [{ provide: ContractValidator, useValue: new ContractValidator(contract) }],
      exports: [ContractValidator],
    })
    class ContractModule {}
    @Module({
      imports: [
        ContractModule,
        AccessControlModule.forRoot({
          useFactory: () =>
            new AccessTokenVerifier({
              issuer: 'iss',
              audience: 'aud',
              keys: createLocalJWKSet({ keys: [jwk] }),
            }),
        }),
      ],
      controllers: [GuardedController],
    })
    class GuardedModule {}
    app = await NestFactory.create<NestFastifyApplication>(GuardedModule, new FastifyAdapter(), {
      logger: false,
    });
    app.useGlobalFilters(new ProblemFilter(pino({ level: 'silent' }), false));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('lets anyone reach an operation the contract marks `security: []`', async () => {
    expect((await get('/open')).statusCode).toBe(200);
  });

  it('asks for a bearer token everywhere else, undocumented routes included', async () => {
    for (const url of ['/mine', '/admin', '/undocumented']) {
      const response = await get(url);
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await get('/mine', 'Basic dXNlcjpwYXNz')).statusCode).toBe(401);
    expect((await get('/mine', 'Bearer not.a.token')).statusCode).toBe(401);
  });

  it('hands the verified identity to the handler and enforces @RequirePermissions', async () => {
    const viewer = `Bearer ${await token(['reports:read'])}`;
    const mine = await get('/mine', viewer);
    expect(mine.json()).toEqual({ userId });
    const denied = await get('/admin', viewer);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toContain('members:manage');
    expect((await get('/admin', `Bearer ${await token(['members:manage'])}`)).statusCode).toBe(200);
  });

  it('also enforces the permission the contract operation names (x-sextant-permission)', async () => {
    const denied = await get('/audit', `Bearer ${await token(['reports:read'])}`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toContain('audit:read');
    expect((await get('/audit', `Bearer ${await token(['audit:read'])}`)).statusCode).toBe(200);
  });
});
