import type { ApiRouter } from '../api/route.js';
import type { Services } from '../services.js';
import type { PolicyView } from './refresh-policy.js';
import { RefreshPolicyBody, RefreshPolicySchema } from './schemas.js';

function present(p: PolicyView) {
  const { version: _version, ...rest } = p;
  return rest;
}

export function mountRefreshRoutes(api: ApiRouter, services: Services): void {
  const { refresh } = services;
  api
    .route({
      method: 'get',
      path: '/v1/segmentation/refresh-policy',
      summary: 'Extension: when runs start by themselves (cron schedule, drift threshold), the next run and the drift now',
      tags: ['Segmentation'],
      access: ['marketer', 'admin'],
      responses: { 200: { description: 'Refresh policy', schema: RefreshPolicySchema } },
      handler: async () => present(await refresh.view()),
    })
    .route({
      method: 'put',
      path: '/v1/segmentation/refresh-policy',
      summary: 'Extension: set the refresh policy (every API process follows it within REFRESH_CHECK_MS)',
      tags: ['Segmentation'],
      access: ['marketer', 'admin'],
      body: RefreshPolicyBody,
      responses: { 200: { description: 'Refresh policy', schema: RefreshPolicySchema } },
      handler: async ({ body }) =>
        present(
          await refresh.update({
            schedule: body.schedule,
            timezone: body.timezone ?? null,
            driftThreshold: body.driftThreshold,
            run: body.run ?? {},
          }),
        ),
    });
}
