import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export const ProblemErrorSchema = z
  .looseObject({
    path: z.string().describe('Where: `body.where.all.0.segment`, `query.limit`, `params.id`; `body` for the body as a whole'),
    message: z.string(),
  })
  .openapi('ProblemError');

export const ProblemSchema = z
  .object({
    type: z.string().describe('Ends with a stable code: invalid-input, malformed-body, unauthorized, cursor-stale, rate-limited, ...'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(ProblemErrorSchema).optional().describe('Always present on 400: at least one entry'),
  })
  .openapi('Problem');

/** Collects every route's schemas as routes are defined, so the document can never drift from the code. */
export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'API key' });
  registry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'sid' });
  registry.registerComponent('securitySchemes', 'shareLink', {
    type: 'http',
    scheme: 'bearer',
    description: "A report's share link token (nss_…)",
  });
  return registry;
}

export function generateOpenApi(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Natural segmentation API',
      version: '1.0.0',
      description: 'Topic graph in Neo4j, Louvain communities, and a segment of one per person. See README.md.',
    },
  });
}

export type { OpenAPIRegistry };
