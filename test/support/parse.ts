import type { z } from 'zod';
import { ProblemSchema } from '../../src/api/openapi.js';

/**
 * A response body read through the service's own zod schema: a test then fails when the answer breaks the documented
 * shape, instead of trusting a type it declared itself.
 */
export async function parsed<S extends z.ZodType>(res: Response, schema: S): Promise<z.output<S>> {
  return schema.parse(await res.json());
}

/** A problem+json answer, read through the documented problem schema. */
export function problem(res: Response): Promise<z.output<typeof ProblemSchema>> {
  return parsed(res, ProblemSchema);
}
