import type { ApiRouter } from '../api/route.js';
import { decodeCursor, offsetCursor, offsetPage } from '../api/http.js';
import type { Services } from '../services.js';
import { meId } from '../auth/principal.js';
import { UserParams } from '../users/user-schemas.js';
import { ConsentBody, ConsentHistoryQuery, ConsentHistorySchema, ConsentStateSchema } from './consent-schemas.js';

export function mountConsentRoutes(api: ApiRouter, services: Services): void {
  const { consent } = services.privacy;
  api
    .route({
      method: 'put',
      path: '/v1/me/consent',
      summary: 'Give or withdraw consent per purpose: segmentation, personalization (content systems), marketing (audiences)',
      description:
        'Purposes named are set, the others stay. `{segmentation}` alone (the v1 form) sets every purpose. Without ' +
        'segmentation nothing of the person is used; without personalization content systems get an empty segment of ' +
        'one; without marketing the person is in no audience, export or delivery. Every change is kept in the history.',
      tags: ['People'],
      access: 'person',
      body: ConsentBody,
      responses: { 200: { description: 'Consent per purpose now', schema: ConsentStateSchema } },
      handler: ({ principal, body }) => consent.setByPerson(meId(principal), body),
    })
    .route({
      method: 'get',
      path: '/v1/me/consent',
      summary: "The signed-in person's consent per purpose (extension)",
      tags: ['People'],
      access: 'person',
      responses: { 200: { description: 'Consent per purpose', schema: ConsentStateSchema } },
      handler: ({ principal }) => consent.get(meId(principal)),
    })
    .route({
      method: 'get',
      path: '/v1/me/consent/history',
      summary: "The signed-in person's consent changes, newest first (extension)",
      tags: ['People'],
      access: 'person',
      query: ConsentHistoryQuery,
      responses: { 200: { description: 'Changes: purpose, granted, by whom, when', schema: ConsentHistorySchema } },
      handler: async ({ principal, query }) => {
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await consent.history(meId(principal), offset, query.limit + 1), query.limit, offset);
      },
    })
    .route({
      method: 'get',
      path: '/v1/users/:user/consent/history',
      summary: "A person's consent changes, newest first (extension, admin): the record of who changed what and when",
      tags: ['Administration'],
      access: ['admin'],
      params: UserParams,
      query: ConsentHistoryQuery,
      responses: { 200: { description: 'Changes: purpose, granted, by whom, when', schema: ConsentHistorySchema } },
      handler: async ({ params, query }) => {
        const userId = await services.users.require(params.user);
        const offset = decodeCursor(offsetCursor, query.cursor)?.o ?? 0;
        return offsetPage(await consent.history(userId, offset, query.limit + 1), query.limit, offset);
      },
    });
}
