import { z } from 'zod';
import { ROLES } from './principal.js';
import { cleanString } from '../api/text.js';

export const RoleSchema = z.enum(ROLES).openapi('Role');

export const CreateApiKeyBody = z
  .object({
    name: cleanString().trim().min(1).max(200),
    role: RoleSchema,
  })
  .strict()
  .openapi('CreateApiKey');

export const ApiKeySchema = z
  .object({ id: z.string(), name: z.string(), role: RoleSchema, prefix: z.string(), createdAt: z.string() })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The key itself; shown once, stored only as a hash'),
}).openapi('CreatedApiKey');

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema), nextCursor: z.string().optional() }).openapi('ApiKeyList');

export const CurrentApiKeySchema = z.object({ id: z.string(), name: z.string(), role: RoleSchema }).openapi('CurrentApiKey');

export const ApiKeyIdParams = z.object({ id: z.string().min(1).max(100) });
