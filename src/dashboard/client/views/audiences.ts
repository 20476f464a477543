import { getJson, sendJson, type Page } from '../api.js';
import { clearError, fmtNumber, fmtTime, h, replace, showError } from '../dom.js';
import { loadSegments } from '../segments-data.js';
import type { View } from './view.js';

/** A saved audience as GET /v1/audiences returns it (docs/audiences.md). */
export interface SavedAudience {
  id: string;
  name: string;
  where: unknown;
  holdoutPercent: number;
  members: number;
  holdout: number;
  evaluation: { status: 'pending' | 'current'; version: number; runId: string | null; evaluatedAt: string | null };
  firstExportedAt: string | null;
  lastExportedAt: string | null;
  exports: number;
  destinations: number;
  createdAt: string;
}

export function evaluationPill(a: SavedAudience): HTMLElement {
  const current = a.evaluation.status === 'current';
  return h(
    'span',
    { class: `pill ${current ? 'succeeded' : 'queued'}`, title: a.evaluation.evaluatedAt ?? '' },
    current ? 'up to date' : 'evaluating',
  );
}

/** Saved audiences: the list, and a form that saves a segment audience (other rules through the API). */
export const audiencesView: View = async ({ root, signal }) => {
  const [page, segs] = await Promise.all([getJson<Page<SavedAudience>>('/v1/audiences?limit=1000', { signal }), loadSegments(signal)]);

  const name = h('input', { id: 'audience-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const segment = h(
    'select',
    { id: 'audience-segment', name: 'segment', required: true },
    segs.items.map((s) => h('option', { value: s.id }, s.label)),
  );
  const minAffinity = h('input', {
    id: 'audience-min-affinity',
    name: 'minAffinity',
    type: 'number',
    min: '0',
    max: '100',
    step: '1',
    value: '30',
  });
  const holdout = h('input', {
    id: 'audience-holdout',
    name: 'holdoutPercent',
    type: 'number',
    min: '0',
    max: '50',
    step: '1',
    value: '10',
  });
  const submit = h('button', { type: 'submit', disabled: segs.items.length === 0 }, 'Save audience');
  const form = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'new-audience-h',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void save();
      },
    },
    h('h2', { id: 'new-audience-h' }, 'Save an audience'),
    h('div', { class: 'field' }, h('label', { for: 'audience-name' }, 'Name'), name),
    h('div', { class: 'field' }, h('label', { for: 'audience-segment' }, 'Segment'), segment),
    h('div', { class: 'field' }, h('label', { for: 'audience-min-affinity' }, 'Minimum affinity (%)'), minAffinity),
    h('div', { class: 'field' }, h('label', { for: 'audience-holdout' }, 'Holdout (%)'), holdout),
    h(
      'p',
      { class: 'hint' },
      'Kept current as people and segments change. The holdout is left out of every export and destination, so the outcome ' +
        'can be measured against it. Rules with purchases and interests: POST /v1/audiences.',
    ),
    h('div', { class: 'actions' }, submit),
  );
  const save = async () => {
    clearError();
    submit.disabled = true;
    try {
      const created = await sendJson<SavedAudience>('POST', '/v1/audiences', {
        name: name.value.trim(),
        where: { segment: segment.value, minAffinity: Number(minAffinity.value) / 100 },
        holdoutPercent: Number(holdout.value),
      });
      location.hash = `#/audiences/${encodeURIComponent(created!.id)}`;
    } catch (err) {
      showError(err);
    } finally {
      submit.disabled = false;
    }
  };

  replace(
    root,
    h('h1', {}, 'Saved audiences'),
    page.items.length === 0
      ? h('p', { class: 'muted' }, 'No saved audience yet.')
      : h(
          'table',
          { class: 'grid', 'aria-label': 'Saved audiences' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Audience', 'Members', 'Holdout', 'Destinations', 'Status', 'First export'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            page.items.map((a) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, h('a', { href: `#/audiences/${encodeURIComponent(a.id)}` }, a.name)),
                h('td', { class: 'num' }, fmtNumber(a.members)),
                h('td', { class: 'num' }, a.holdoutPercent > 0 ? `${fmtNumber(a.holdout)} (${a.holdoutPercent}%)` : '—'),
                h('td', { class: 'num' }, String(a.destinations)),
                h('td', {}, evaluationPill(a)),
                h('td', {}, a.firstExportedAt ? fmtTime(a.firstExportedAt) : h('span', { class: 'muted' }, 'never')),
              ),
            ),
          ),
        ),
    segs.items.length === 0 ? h('p', { class: 'muted' }, 'Run a segmentation first: saved audiences start from its segments.') : form,
  );
};
