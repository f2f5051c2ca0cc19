import { AccessTokenVerifier, InvalidAccessToken, isWellFormedApiKey } from '@sextant/platform/auth';
import { ApiProblem } from '@sextant/platform/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperationInfo, RouteTemplates } from '../proxy/route-templates';
import { credentialOf } from './credentials';
import { ApiKeyExchange, ApiKeyRejected } from './api-key-exchange';
import { decide, type RateLimitPolicy, type RateLimitStore, type Subject } from './rate-limits';

/** What the gateway learnt about a request at the door, for the proxy and the access log. */
export interface EdgeContext {
  operation?: OperationInfo;
  /** `"<METHOD> <template>"`, or undefined when the contract has no such operation. */
  route?: string;
  tenantId?: string;
  userId?: string;
  keyId?: string;
  /** The Authorization header to send upstream instead of the client's (an exchanged API key). */
  upstreamAuthorization?: string;
}

const contexts = new WeakMap<FastifyRequest, EdgeContext>();
export const edgeContextOf = (request: FastifyRequest): EdgeContext | undefined => contexts.get(request);

const unauthorized = (message: string) =>
  new ApiProblem(401, 'unauthorized', message, undefined, {
    'www-authenticate': 'Bearer realm="sextant", error="invalid_token"',
  });

export interface EdgeGuardOptions {
  routes: RouteTemplates;
  verifier: AccessTokenVerifier;
  exchange: ApiKeyExchange;
  policy: RateLimitPolicy;
  store: RateLimitStore;
  /** When the shared store fails: log and let the request through (availability over strictness). */
  onStoreError: (error: unknown) => void;
}

/**
 * The door of every /api/v1 request, before its body is read: finds its contract operation;
 * unless the operation is public (`security: []`), verifies the access token locally or exchanges
 * the API key for one (401 otherwise); then counts the request against its API key and tenant (or
 * its address on public operations) and answers 429 over the limit. Permissions (403) are the
 * service's to decide: it verifies the token again, checks `x-sextant-permission`, and records the
 * denial in the tenant's audit log, which a refusal here would skip.
 */
export class EdgeGuard {
  constructor(private readonly options: EdgeGuardOptions) {}

  /** Throws the ApiProblem to answer with; otherwise the request goes on. */
  async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const operation = this.options.routes.find(request.method, request.url);
    const context: EdgeContext = {
      operation,
      route: operation ? `${request.method} ${operation.template}` : undefined,
    };
    contexts.set(request, context);
    let subject: Subject;
    if (operation?.public) subject = { kind: 'ip', ip: request.ip };
    else {
      await this.authenticate(request, context);
      subject = context.keyId
        ? { kind: 'apiKey', keyId: context.keyId, tenantId: context.tenantId! }
        : { kind: 'tenant', tenantId: context.tenantId! };
    }
    await this.limit(subject, context, reply);
  }

  /** Fills the context with who is calling; returns the permissions of its access token. */
  private async authenticate(request: FastifyRequest, context: EdgeContext): Promise<readonly string[]> {
    const credential = credentialOf(request.headers);
    switch (credential.kind) {
      case 'none':
        throw unauthorized('This operation needs a bearer access token or an API key.');
      case 'malformed':
        throw unauthorized(credential.reason);
      case 'bearer':
        try {
          const identity = await this.options.verifier.verify(credential.token);
          context.tenantId = identity.tenantId;
          context.userId = identity.userId;
          return identity.permissions;
        } catch (error) {
          if (error instanceof InvalidAccessToken) throw unauthorized('The access token is not valid.');
          throw error;
        }
      case 'api-key': {
        if (!isWellFormedApiKey(credential.key)) throw unauthorized('The API key is not valid.');
        let exchanged;
        try {
          exchanged = await this.options.exchange.exchange(credential.key);
        } catch (error) {
          if (error instanceof ApiKeyRejected) throw unauthorized('The API key is not valid.');
          throw new ApiProblem(503, 'auth_unavailable', 'The API key could not be checked; try again.');
        }
        // The key's permissions are those its access token carries (verified once, then cached).
        try {
          const identity = await this.options.verifier.verify(exchanged.accessToken);
          context.tenantId = identity.tenantId;
          context.keyId = exchanged.keyId;
          context.upstreamAuthorization = `Bearer ${exchanged.accessToken}`;
          return identity.permissions;
        } catch (error) {
          if (error instanceof InvalidAccessToken) throw unauthorized('The API key is not valid.');
          throw error;
        }
      }
    }
  }

  private async limit(subject: Subject, context: EdgeContext, reply: FastifyReply): Promise<void> {
    const buckets = this.options.policy.bucketsFor(subject, context.route);
    let decision;
    try {
      decision = await decide(this.options.store, buckets);
    } catch (error) {
      this.options.onStoreError(error);
      return;
    }
    void reply.header('ratelimit-limit', decision.limit);
    void reply.header('ratelimit-remaining', decision.remaining);
    void reply.header('ratelimit-reset', decision.resetSeconds);
    if (!decision.allowed)
      throw new ApiProblem(
        429,
        'rate_limited',
        `Too many requests: try again in ${decision.resetSeconds} s.`,
        undefined,
        { 'retry-after': String(decision.resetSeconds) },
      );
  }
}
