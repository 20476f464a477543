/**
 * The runs page's review tools: the refresh policy (schedule, drift threshold, publish automatically or not) and, for a
 * candidate run, its comparison with the visible run and the button that publishes it.
 */
import { getJson, sendJson, type Run } from '../api.js';
import { clearError, fmtNumber, fmtPercent, fmtTime, h, replace, showError } from '../dom.js';

export interface RefreshPolicy {
  schedule: string | null;
  timezone: string | null;
  driftThreshold: number | null;
  run: Record<string, unknown>;
  nextRunAt: string | null;
  drift: { since: string; people: number; changed: number; share: number } | null;
  lastTrigger: string | null;
  lastTriggeredAt: string | null;
  lastRunId: string | null;
  lastSkipped: string | null;
}

interface Change {
  nmi: number | null;
  split: Array<{ id: string; into: string[] }>;
  merged: Array<{ id: string; from: string[] }>;
  appeared: string[];
  vanished: string[];
}
export interface RunComparison extends Change {
  runId: string;
  visibleRunId: string | null;
  publishable: boolean;
  people: { compared: number; dominantChanged: number };
  fine: Change;
}

/** The refresh policy card: what it is, what it implies now, and a form to change it. */
export async function refreshPolicyCard(signal: AbortSignal): Promise<HTMLElement> {
  const card = h('section', { class: 'card', 'aria-label': 'Refresh policy' });
  const render = (p: RefreshPolicy) => {
    const schedule = h('input', {
      id: 'refresh-schedule',
      type: 'text',
      placeholder: 'e.g. 0 3 * * * (off when empty)',
      value: p.schedule ?? '',
    });
    const drift = h('input', {
      id: 'refresh-drift',
      type: 'number',
      min: '0.1',
      max: '100',
      step: '0.1',
      placeholder: 'off',
      value: p.driftThreshold === null ? '' : String(Math.round(p.driftThreshold * 1000) / 10),
    });
    const candidate = h('input', { id: 'refresh-candidate', type: 'checkbox', checked: p.run.publish === false });
    const status = [
      ['Next scheduled run', p.nextRunAt ? fmtTime(p.nextRunAt) : 'no schedule'],
      [
        'Drift since the visible run started',
        p.drift ? `${fmtPercent(p.drift.share)} (${fmtNumber(p.drift.changed)} of ${fmtNumber(p.drift.people)} people)` : '—',
      ],
      ['Drift threshold', p.driftThreshold === null ? 'off' : fmtPercent(p.driftThreshold)],
      [
        'Last started',
        p.lastTrigger ? `${p.lastTrigger} · ${fmtTime(p.lastTriggeredAt ?? undefined)}${p.lastRunId ? ` · ${p.lastRunId}` : ''}` : '—',
      ],
      ...(p.lastSkipped ? [['Last skipped', p.lastSkipped]] : []),
    ];
    replace(
      card,
      h('h2', {}, 'Refresh policy'),
      h(
        'dl',
        { class: 'metrics', 'aria-label': 'Refresh policy status' },
        status.flatMap(([k, v]) => [h('dt', {}, k!), h('dd', {}, v!)]),
      ),
      h(
        'form',
        {
          class: 'inline-form',
          'aria-label': 'Change the refresh policy',
          onsubmit: (e: Event) => {
            e.preventDefault();
            clearError();
            const body = {
              schedule: schedule.value.trim() || null,
              driftThreshold: drift.value ? Number(drift.value) / 100 : null,
              run: { ...p.run, publish: !candidate.checked },
            };
            sendJson<RefreshPolicy>('PUT', '/v1/segmentation/refresh-policy', body)
              .then((next) => next && render(next))
              .catch(showError);
          },
        },
        h('label', { for: 'refresh-schedule' }, 'Schedule (cron)'),
        schedule,
        h('label', { for: 'refresh-drift' }, 'Drift threshold (%)'),
        drift,
        h('label', { for: 'refresh-candidate' }, candidate, ' Triggered runs wait for review (candidates)'),
        h('button', { type: 'submit' }, 'Save refresh policy'),
      ),
    );
  };
  render(await getJson<RefreshPolicy>('/v1/segmentation/refresh-policy', { signal }));
  return card;
}

function changeText(c: Change): string {
  return [
    c.nmi === null ? 'NMI —' : `NMI ${c.nmi.toFixed(3)}`,
    `${c.appeared.length} appeared`,
    `${c.vanished.length} vanished`,
    `${c.split.length} split`,
    `${c.merged.length} merged`,
  ].join(' · ');
}

/** The comparison of a run with the visible one, and a publish button when it can be published. */
export function comparisonCard(c: RunComparison, onPublished: () => void): HTMLElement {
  const rows: Array<[string, string]> = [
    ['Compared with', c.visibleRunId ?? 'no visible run'],
    ['Segments', changeText(c)],
    ['Fine segments', changeText(c.fine)],
    ['Appeared', c.appeared.join(', ') || '—'],
    ['Vanished', c.vanished.join(', ') || '—'],
    ['Split', c.split.map((s) => `${s.id} → ${s.into.join(', ')}`).join('; ') || '—'],
    ['Merged', c.merged.map((s) => `${s.from.join(', ')} → ${s.id}`).join('; ') || '—'],
    ['Dominant segment changes', `${fmtNumber(c.people.dominantChanged)} of ${fmtNumber(c.people.compared)} people`],
  ];
  const publish = h(
    'button',
    {
      type: 'button',
      id: 'publish-run',
      disabled: !c.publishable,
      onclick: () => {
        clearError();
        publish.disabled = true;
        sendJson<Run>('POST', `/v1/segmentation/runs/${encodeURIComponent(c.runId)}/publish`)
          .then(onPublished)
          .catch((err: unknown) => {
            publish.disabled = false;
            showError(err);
          });
      },
    },
    'Publish this run',
  );
  return h(
    'section',
    { class: 'card', id: 'run-comparison', 'aria-label': `Comparison of run ${c.runId} with the visible run` },
    h('h2', {}, `Run ${c.runId} against the visible run`),
    h(
      'dl',
      { class: 'metrics' },
      rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    c.publishable
      ? null
      : h('p', { class: 'muted' }, 'Another run became visible since this one was prepared: it can no longer be published.'),
    publish,
  );
}

/** The table cell saying which run readers see, with Compare for succeeded runs that are not visible. */
export function visibilityCell(r: Run, onCompare: (id: string) => void): HTMLElement {
  if (r.visible) return h('td', {}, h('span', { class: 'pill visible' }, 'visible'));
  if (r.status !== 'succeeded') return h('td', {}, r.publish === false ? h('span', { class: 'muted' }, 'candidate') : null);
  return h(
    'td',
    {},
    h('span', { class: 'pill candidate' }, r.publish === false ? 'candidate' : 'not visible'),
    ' ',
    h('button', { type: 'button', class: 'compare-run', 'data-run': r.id, onclick: () => onCompare(r.id) }, 'Compare'),
  );
}

export async function loadComparison(id: string): Promise<RunComparison> {
  return getJson<RunComparison>(`/v1/segmentation/runs/${encodeURIComponent(id)}/compare`);
}
