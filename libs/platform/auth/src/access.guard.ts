import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiProblem, ContractValidator, toOpenApiPath } from '@sextant/platform/http';
import type { FastifyRequest } from 'fastify';
import {
  AccessTokenVerifier,
  InvalidAccessToken,
  type Permission,
  type VerifiedIdentity,
} from './access-token';

const REQUIRED_PERMISSIONS = 'sextant:required-permissions';

/** The handler needs every permission listed (403 otherwise). */
export const RequirePermissions = (...permissions: Permission[]) =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);

type AuthenticatedRequest = FastifyRequest & { identity?: VerifiedIdentity };

/** The verified identity of the caller, in a handler of a route that is not public. */
export const CurrentIdentity = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const identity = context.switchToHttp().getRequest<AuthenticatedRequest>().identity;
  if (!identity) throw new Error('CurrentIdentity used on a public route');
  return identity;
});

const unauthorized = (message: string) =>
  new ApiProblem(401, 'unauthorized', message, undefined, {
    'www-authenticate': 'Bearer realm="sextant", error="invalid_token"',
  });

/**
 * Guards every route of the service. A route is public only when its contract operation says
 * `security: []` (health, metrics, login, ...); every other route needs a valid bearer access
 * token, and the permissions its handler names with @RequirePermissions.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly contract: ContractValidator,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const operation = this.contract.find(request.method, toOpenApiPath(request.routeOptions.url ?? ''))
      ?.operation as { security?: unknown[]; 'x-sextant-permission'?: Permission } | undefined;
    if (this.isPublic(operation)) return true;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header) : null;
    if (!match) throw unauthorized('A bearer access token is required.');
    try {
      request.identity = await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidAccessToken) throw unauthorized('The access token is not valid.');
      throw error;
    }
    // The handler's @RequirePermissions and the permission its contract operation names
    // (`x-sextant-permission`, the one the gateway and the permission tests read) both apply.
    const required = [
      ...(this.reflector.getAllAndOverride<Permission[] | undefined>(REQUIRED_PERMISSIONS, [
        context.getHandler(),
        context.getClass(),
      ]) ?? []),
      ...(operation?.['x-sextant-permission'] ? [operation['x-sextant-permission']] : []),
    ];
    const missing = required.filter((p) => !request.identity!.permissions.includes(p));
    if (missing.length)
      throw new ApiProblem(403, 'forbidden', `This needs the permission ${missing.join(', ')}.`);
    return true;
  }

  private isPublic(operation: { security?: unknown[] } | undefined): boolean {
    if (!operation) return false;
    const security = (operation.security ?? this.contract.document.security) as unknown[] | undefined;
    return Array.isArray(security) && security.length === 0;
  }
}
