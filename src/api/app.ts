/**
 * The HTTP API: Fastify with zod schemas (validation, serialisation and the OpenAPI
 * document at /docs all come from the same schemas).
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Pool } from '../db/pool';
import type { EligibilityParams } from '../domain/eligibility';
import type { FieldCrypto } from '../security/field-crypto';
import { registerTextGuard } from './text-guard';
import { registerSecurity, type SecurityOptions } from '../security/http';
import { loggerOptions } from '../security/logging';
import { caseListRoutes } from './cases/list';
import { caseRoutes } from './cases/routes';
import { childrenRoutes } from './children/routes';
import { codecRoutes } from './codec/routes';
import { departmentRoutes } from './departments/routes';
import { entitlementRoutes } from './entitlements/routes';
import { registerDashboard } from './dashboard/routes';
import { registerErrorHandling } from './errors';
import { escalationPolicyRoutes } from './escalation/routes';
import { healthRoutes } from './health';
import { referralRoutes } from './referrals/routes';
import { statsRoutes } from './stats';
import { surveyRoutes } from './surveys/routes';
import { taskRoutes } from './tasks/routes';
import { visitRoutes } from './visits/routes';

// Validation messages in Chinese for the people using the API.
z.config(z.locales.zhCN());

export interface AppDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  crypto: FieldCrypto;
  eligibilityParams: EligibilityParams;
  today: () => string;
  logLevel?: string;
  /** Token keys, CORS origins, rate limit (issue #10); unset parts come from the environment (src/config.ts). */
  security?: Partial<SecurityOptions>;
}

/** Bodies larger than this are refused with 413: a child's record is a few kilobytes. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    // Redacts credentials and personal data (src/security/logging.ts); bodies are never logged.
    logger: loggerOptions(deps.logLevel ?? 'info'),
    // Query strings are parsed flat: `a[b]=1` stays a key the strict schemas then reject.
    routerOptions: { maxParamLength: 200 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  // NUL and lone surrogates: a 400 at the field instead of a database error (issue #11).
  registerTextGuard(app);
  // JSON only: a text/plain body is refused with 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain');
  // Authentication, the authorisation policy, rate limits, security headers (src/security/http.ts).
  await registerSecurity(app, deps);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'careflow API',
        description: '流动儿童关爱保护协同系统（平顶山市）接口',
        version: '0.1.0',
      },
      // Every route but /healthz needs a bearer token (docs/security.md): the "Authorize" button.
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes(deps));
  await app.register(codecRoutes(deps));
  await app.register(childrenRoutes(deps));
  await app.register(departmentRoutes(deps));
  await app.register(taskRoutes(deps));
  await app.register(caseRoutes(deps));
  await app.register(visitRoutes(deps));
  await app.register(caseListRoutes(deps));
  await app.register(statsRoutes(deps));
  await app.register(surveyRoutes(deps));
  await registerDashboard(app);
  await app.register(referralRoutes(deps));
  await app.register(escalationPolicyRoutes(deps));
  await app.register(entitlementRoutes(deps)); // issue #12
  return app;
}
