import type { ApiRouter } from '../api/route.js';
import type { UserService } from './user-service.js';
import { actorOf } from '../privacy/audit-log.js';
import { UserParams } from './user-schemas.js';

export function mountUserRoutes(api: ApiRouter, users: UserService): void {
  api.route({
    method: 'delete',
    path: '/v1/users/:user',
    summary: 'Erase a user: the person, identities, interests, purchases and affinities',
    tags: ['Administration'],
    access: ['admin'],
    params: UserParams,
    responses: { 204: { description: 'Erased' } },
    handler: async ({ params, principal }) => {
      await users.erase(await users.require(params.user), actorOf(principal));
    },
  });
}
