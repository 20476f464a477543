/**
 * Curation on the segment pages: rename a segment, merge it with others (and undo a merge), and choose how many
 * segments to show. Every change is a curation decision (POST /v1/curation/decisions) that the server applies at once
 * and carries to later runs; the page re-renders from the API afterwards.
 */
import { getJson, sendJson, type Segment } from '../api.js';
import { clearError, fmtNumber, h, showError } from '../dom.js';
import type { SegmentCuration } from '../../../segmentation/segment-rows.js';

export interface Granularity {
  runId: string | null;
  setting: number | 'recommended' | 'natural';
  natural: number | null;
  recommended: number | null;
  shown: number | null;
  cuttable: boolean;
  min: number;
  max: number;
}

const curationOf = (s: Segment) => (s.curation ?? null) as SegmentCuration | null;

/** Runs a change, then `done` (re-render); errors go to the page's alert, the form stays as typed. */
async function change(button: HTMLButtonElement, status: HTMLElement, work: () => Promise<unknown>, done: () => void, message: string) {
  clearError();
  button.disabled = true;
  status.textContent = 'Saving…';
  try {
    await work();
    status.textContent = message;
    done();
  } catch (err) {
    status.textContent = '';
    showError(err);
  } finally {
    button.disabled = false;
  }
}

/** The segment page's curation card: its name, what it is made of, rename, merge with others, undo. */
export function curationCard(seg: Segment, others: readonly Segment[], done: () => void): HTMLElement {
  const cur = curationOf(seg);
  const status = h('p', { role: 'status', class: 'muted', id: 'curation-status' });
  const name = h('input', { id: 'segment-name', type: 'text', maxlength: '120', value: seg.label, autocomplete: 'off' });
  const renameButton = h('button', { type: 'submit' }, 'Rename');
  const renameForm = h(
    'form',
    {
      class: 'field',
      'aria-label': 'Rename segment',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void change(
          renameButton,
          status,
          () => sendJson('POST', '/v1/curation/decisions', { kind: 'rename', segmentId: seg.id, label: name.value }),
          done,
          `Renamed to “${name.value.trim()}”`,
        );
      },
    },
    h('label', { for: 'segment-name' }, 'Name'),
    name,
    renameButton,
  );

  const candidates = others.filter((o) => o.id !== seg.id && !o.other);
  const boxes = candidates.map((o) => h('input', { type: 'checkbox', value: o.id, id: `merge-${o.id}` }));
  const mergeName = h('input', {
    id: 'merge-name',
    type: 'text',
    maxlength: '120',
    placeholder: 'named after their topics',
    autocomplete: 'off',
  });
  const mergeButton = h('button', { type: 'submit' }, 'Merge');
  const mergeForm = candidates.length
    ? h(
        'form',
        {
          'aria-label': 'Merge segments',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const ids = boxes.filter((b) => b.checked).map((b) => b.value);
            if (ids.length === 0) {
              showError(new Error('Tick the segments to merge into this one.'));
              return;
            }
            const label = mergeName.value.trim();
            void change(
              mergeButton,
              status,
              () =>
                sendJson('POST', '/v1/curation/decisions', { kind: 'merge', segmentIds: [seg.id, ...ids], ...(label ? { label } : {}) }),
              done,
              `Merged ${ids.length + 1} segments`,
            );
          },
        },
        h(
          'fieldset',
          {},
          h('legend', {}, 'Merge into this segment'),
          h(
            'ul',
            { class: 'checks' },
            candidates.map((o, i) =>
              h('li', {}, boxes[i]!, h('label', { for: `merge-${o.id}` }, `${o.label} (${fmtNumber(o.userCount)} people)`)),
            ),
          ),
          h('div', { class: 'field' }, h('label', { for: 'merge-name' }, 'Name of the merged segment'), mergeName),
          mergeButton,
        ),
      )
    : null;

  const undo = (cur?.mergeDecisionIds ?? []).map((id) => {
    const b: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        onclick: () =>
          void change(b, status, () => sendJson('POST', `/v1/curation/decisions/${encodeURIComponent(id)}/revert`), done, 'Merge undone'),
      },
      'Undo merge',
    );
    return b;
  });
  const restore =
    cur?.labelDecisionId && (cur.labelSource === 'rename' || cur.labelSource === 'inherited')
      ? (() => {
          const b: HTMLButtonElement = h(
            'button',
            {
              type: 'button',
              onclick: () =>
                void change(
                  b,
                  status,
                  () => sendJson('POST', `/v1/curation/decisions/${encodeURIComponent(cur.labelDecisionId!)}/revert`),
                  done,
                  'Automatic name restored',
                ),
            },
            `Restore the automatic name (“${cur.autoLabel}”)`,
          );
          return b;
        })()
      : null;

  const made = cur?.members && cur.members.length > 1;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'curation-h' },
    h('h2', { id: 'curation-h' }, 'Curate'),
    cur && cur.labelSource !== 'auto' ? h('p', { class: 'muted', id: 'auto-label' }, `Automatic name: ${cur.autoLabel}`) : null,
    cur?.labelNote ? h('p', { class: 'note', id: 'label-note' }, cur.labelNote) : null,
    made
      ? h(
          'p',
          { id: 'group-members' },
          `Shown as one: ${cur!.members!.length} segments of the run`,
          cur!.grouping === 'granularity' ? ' (the chosen number of segments)' : ' (merged)',
        )
      : null,
    renameForm,
    restore,
    undo.length ? h('div', { class: 'actions' }, undo) : null,
    mergeForm,
    status,
  );
}

/** The segments page's granularity control: how many segments to show, cut from the run's hierarchy. */
export async function granularityCard(done: () => void, signal: AbortSignal): Promise<HTMLElement> {
  const g = await getJson<Granularity>('/v1/segmentation/granularity', { signal });
  const status = h('span', { role: 'status', class: 'muted', id: 'granularity-status' });
  const count = h('input', {
    id: 'granularity-count',
    type: 'number',
    min: String(g.min),
    max: String(g.max),
    step: '1',
    value: typeof g.setting === 'number' ? String(g.setting) : String(g.recommended ?? g.natural ?? ''),
    inputmode: 'numeric',
  });
  const mode = h(
    'select',
    { id: 'granularity-mode' },
    h('option', { value: 'natural', selected: g.setting === 'natural' }, `Natural (${g.natural ?? '—'} segments)`),
    h('option', { value: 'recommended', selected: g.setting === 'recommended' }, `Recommended (${g.recommended ?? '—'})`),
    h('option', { value: 'count', selected: typeof g.setting === 'number' }, 'A number of segments'),
  );
  const apply = h('button', { type: 'submit' }, 'Apply');
  const sync = () => (count.disabled = mode.value !== 'count');
  mode.addEventListener('change', sync);
  sync();
  const form = h(
    'form',
    {
      class: 'card',
      'aria-label': 'Granularity',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const target = mode.value === 'count' ? Number(count.value) : mode.value;
        void change(apply, status, () => sendJson('PUT', '/v1/segmentation/granularity', { target }), done, 'Granularity applied');
      },
    },
    h('label', { for: 'granularity-mode' }, 'Segments shown'),
    mode,
    h('label', { for: 'granularity-count', class: 'visually-hidden' }, 'Number of segments'),
    count,
    apply,
    status,
    g.cuttable ? null : h('p', { class: 'muted' }, 'This run has no hierarchy to cut (GDS engine): it shows its natural segments.'),
  );
  return form;
}
