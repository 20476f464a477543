import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage, sendJson } from '../api/http.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { UserAffinitiesSchema } from '../affinity/schemas.js';
import { meId } from '../auth/principal.js';
import { MeSchema, MyInterestsQuery, MyInterestsSchema, TopicParams } from './people-schemas.js';
import { destroySession } from './sessions.js';

/** A signed-in person's own page: who they are, their interests and segment of one, erasure (consent: src/privacy). */
export function mountMeRoutes(api: ApiRouter, services: Services): void {
  const { users, affinity } = services;

  api
    .route({
      method: 'get',
      path: '/v1/me',
      summary: 'The signed-in person',
      tags: ['People'],
      access: 'person',
      responses: { 200: { description: 'The person', schema: MeSchema } },
      handler: async ({ principal }) => {
        const user = await users.get(meId(principal));
        if (!user) throw AppError.notFound('User');
        return {
          id: user.id,
          ...(user.name ? { name: user.name } : {}),
          identities: user.identities,
          consent: {
            segmentation: user.consentSegmentation,
            personalization: user.consentPersonalization,
            marketing: user.consentMarketing,
          },
          createdAt: user.createdAt,
        };
      },
    })
    .route({
      method: 'get',
      path: '/v1/me/interests',
      summary: "The signed-in person's interests, heaviest first",
      tags: ['People'],
      access: 'person',
      query: MyInterestsQuery,
      responses: { 200: { description: 'Interests', schema: MyInterestsSchema } },
      handler: async ({ principal, query }) => {
        const userId = meId(principal);
        if (!(await users.get(userId))) throw AppError.notFound('User');
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        // A person's interests are few: one read, paged in memory.
        const all = await users.listInterests(userId);
        return offsetPage(all.slice(offset, offset + query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'get',
      path: '/v1/me/affinities',
      summary: "The signed-in person's segment of one",
      tags: ['People'],
      access: 'person',
      responses: { 200: { description: 'Affinities', schema: UserAffinitiesSchema } },
      handler: async ({ principal, res }) => sendJson(res, await affinity.reader.forUser(meId(principal), Date.now(), true)),
    })
    .route({
      method: 'delete',
      path: '/v1/me/interests/:topicId',
      summary: 'Remove an interest (it stays removed on later logins and imports)',
      tags: ['People'],
      access: 'person',
      params: TopicParams,
      responses: { 204: { description: 'Removed; affinities already follow' } },
      handler: async ({ principal, params }) => {
        await users.removeInterest(meId(principal), params.topicId);
      },
    })
    .route({
      method: 'delete',
      path: '/v1/me',
      summary: 'Erase the signed-in person and everything derived (identities, interests, affinities); ends the session',
      tags: ['People'],
      access: 'person',
      responses: { 204: { description: 'Erased' } },
      handler: async ({ principal, req, res }) => {
        const userId = meId(principal);
        await users.erase(userId, 'person');
        await destroySession(req, res);
      },
    });
}
