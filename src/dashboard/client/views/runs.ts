import { ApiError, getJson, sendJson, type Page, type Run, type RunMetrics } from '../api.js';
import { clearError, fmtNumber, fmtTime, h, replace, showError } from '../dom.js';
import type { RunStability } from '../segments-data.js';
import type { View } from './view.js';
import { comparisonCard, loadComparison, refreshPolicyCard, visibilityCell } from './run-review.js';

/** Progress of the run this page started or found running; views listen to refresh when it finishes. */
export const runEvents = new EventTarget();
let watched: Run | undefined;
let pollTimer: ReturnType<typeof setTimeout> | undefined;
const POLL_MS = 700;

const isActive = (r: Run | undefined) => r?.status === 'queued' || r?.status === 'running';

function publish(run: Run) {
  watched = run;
  runEvents.dispatchEvent(new CustomEvent<Run>('update', { detail: run }));
}

async function poll(id: string) {
  clearTimeout(pollTimer);
  try {
    const run = await getJson<Run>(`/v1/segmentation/runs/${encodeURIComponent(id)}`);
    publish(run);
    if (isActive(run)) pollTimer = setTimeout(() => void poll(id), POLL_MS);
  } catch (err) {
    showError(err);
    // A transient failure should not stop the watch; a 404/401 will not get better.
    if (!(err instanceof ApiError) || err.status >= 500 || err.status === 0) pollTimer = setTimeout(() => void poll(id), POLL_MS * 3);
  }
}

export async function startRun(params: Record<string, number | string | boolean> = {}): Promise<void> {
  clearError();
  try {
    const run = await sendJson<Run>('POST', '/v1/segmentation/runs', params);
    if (!run) throw new Error('The server accepted the run but did not say which one.');
    publish({ ...run, params });
    void poll(run.id);
  } catch (err) {
    showError(err);
  }
}

function listOf(body: Page<Run> | Run[]): Run[] {
  return Array.isArray(body) ? body : body.items;
}

/** Finds a run that is already in progress (started elsewhere) so its progress shows here too. */
async function attachToActiveRun() {
  try {
    const runs = listOf(await getJson<Page<Run> | Run[]>('/v1/segmentation/runs?limit=5'));
    const active = runs.find(isActive);
    if (active && !isActive(watched)) {
      publish(active);
      void poll(active.id);
    }
  } catch {
    /* the runs view shows errors; the header widget stays quiet */
  }
}

function summary(run: Run): string {
  const m = run.metrics ?? {};
  switch (run.status) {
    case 'queued':
      return 'Run queued…';
    case 'running': {
      const progress = describeProgress(run.phase ?? run.progress ?? m.phase);
      return `Run running${progress ? `: ${progress}` : '…'}`;
    }
    case 'succeeded': {
      const parts = [
        typeof m.segments === 'number' ? `${fmtNumber(m.segments)} segments` : '',
        typeof m.topics === 'number' ? `${fmtNumber(m.topics)} topics` : '',
        typeof m.modularity === 'number' ? `modularity ${m.modularity.toFixed(3)}` : '',
      ].filter(Boolean);
      return `Run succeeded${parts.length ? `: ${parts.join(', ')}` : ''}`;
    }
    case 'failed':
      return `Run failed: ${run.error ?? 'no reason given'}`;
  }
}

function describeProgress(p: unknown): string {
  if (typeof p === 'string') return p;
  if (typeof p === 'number') return `${Math.round(p * (p <= 1 ? 100 : 1))}%`;
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    const phase = typeof o.phase === 'string' ? o.phase : typeof o.stage === 'string' ? o.stage : '';
    const done = typeof o.done === 'number' ? o.done : undefined;
    const total = typeof o.total === 'number' ? o.total : undefined;
    return [phase, done !== undefined && total ? `${Math.round((done / total) * 100)}%` : ''].filter(Boolean).join(' ');
  }
  return '';
}

let widgetListener: EventListener | undefined;

/** Header control for marketers: start a run with default settings and watch it from any view. */
export function runWidget(onFinished: () => void): HTMLElement {
  const status = h('span', { id: 'run-status', role: 'status', class: 'run-status' });
  const button = h('button', { type: 'button', onclick: () => void startRun() }, 'Start a run');
  const show = (run: Run | undefined) => {
    button.disabled = isActive(run);
    status.textContent = run ? summary(run) : '';
    status.dataset.status = run?.status ?? '';
  };
  let wasActive = isActive(watched);
  if (widgetListener) runEvents.removeEventListener('update', widgetListener);
  widgetListener = (e) => {
    const run = (e as CustomEvent<Run>).detail;
    show(run);
    if (wasActive && run.status === 'succeeded') onFinished();
    wasActive = isActive(run);
  };
  runEvents.addEventListener('update', widgetListener);
  show(watched);
  void attachToActiveRun();
  return h('span', { class: 'run-widget' }, button, status);
}

export function metricsList(metrics: RunMetrics | undefined, label = 'Run metrics'): HTMLElement {
  const entries = Object.entries(metrics ?? {});
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No metrics.');
  return h(
    'dl',
    { class: 'metrics', 'aria-label': label },
    entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, formatMetric(k, v))]),
  );
}

export function formatMetric(key: string, v: unknown): string {
  if (typeof v === 'number') {
    if (/ms$/i.test(key)) return `${fmtNumber(Math.round(v))} ms`;
    return Number.isInteger(v) ? fmtNumber(v) : v.toFixed(3);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '—';
  const st = typeof v === 'object' ? (v as Partial<RunStability>) : {};
  if (Array.isArray(st.segments) && 'previousRunId' in st) {
    if (!st.previousRunId) return 'first run (nothing to compare)';
    return [
      `vs ${st.previousRunId}`,
      typeof st.nmi === 'number' ? `NMI ${st.nmi.toFixed(3)}` : '',
      `${st.appeared?.length ?? 0} new, ${st.vanished?.length ?? 0} gone, ${st.split?.length ?? 0} split, ${st.merged?.length ?? 0} merged`,
    ]
      .filter(Boolean)
      .join(' · ');
  }
  if (typeof v === 'object' && Object.values(v).every((x) => typeof x === 'number')) {
    return Object.entries(v as Record<string, number>)
      .map(([k, x]) => `${k.replace(/Ms$/, '')} ${formatMetric(k, x)}`)
      .join(', ');
  }
  const json = JSON.stringify(v);
  return json.length > 160 ? json.slice(0, 157) + '…' : json;
}

export const runsView: View = async ({ root, signal }) => {
  const resolution = h('input', { id: 'run-resolution', type: 'number', step: '0.1', min: '0.1', placeholder: 'default' });
  const seed = h('input', { id: 'run-seed', type: 'number', step: '1', min: '0', placeholder: 'random' });
  const candidate = h('input', { id: 'run-candidate', type: 'checkbox' });
  const form = h(
    'form',
    {
      class: 'card inline-form',
      'aria-label': 'Start a segmentation run',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const params: Record<string, number | boolean> = {};
        if (resolution.value) params.resolution = Number(resolution.value);
        if (seed.value) params.seed = Number(seed.value);
        if (candidate.checked) params.publish = false;
        void startRun(params);
      },
    },
    h('label', { for: 'run-resolution' }, 'Resolution'),
    resolution,
    h('label', { for: 'run-seed' }, 'Seed'),
    seed,
    h('label', { for: 'run-candidate' }, candidate, ' Candidate (publish after review)'),
    h('button', { type: 'submit' }, 'Start a run with these settings'),
  );
  const table = h('div');
  const review = h('div');
  const compare = (id: string) => {
    clearError();
    loadComparison(id)
      .then((c) =>
        replace(
          review,
          comparisonCard(c, () => void reloadAll()),
        ),
      )
      .catch(showError);
  };
  const load = async () => {
    const runs = listOf(await getJson<Page<Run> | Run[]>('/v1/segmentation/runs?limit=20', { signal }));
    replace(
      table,
      runs.length === 0
        ? h('p', { class: 'muted' }, 'No runs yet.')
        : h(
            'table',
            { class: 'grid', 'aria-label': 'Segmentation runs' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Run', 'Status', 'Visible', 'Started', 'Finished', 'Metrics'].map((c) => h('th', { scope: 'col' }, c)),
              ),
            ),
            h(
              'tbody',
              {},
              runs.map((r) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'mono' }, r.id),
                  h(
                    'td',
                    {},
                    h('span', { class: `pill ${r.status}` }, r.status),
                    r.error ? h('div', { class: 'error-text' }, r.error) : null,
                  ),
                  visibilityCell(r, compare),
                  h('td', {}, fmtTime(r.startedAt ?? r.createdAt)),
                  h('td', {}, fmtTime(r.finishedAt)),
                  h('td', {}, r.metrics ? metricsList(r.metrics, `Metrics of run ${r.id}`) : h('span', { class: 'muted' }, '—')),
                ),
              ),
            ),
          ),
    );
  };
  const policy = h('div');
  const loadPolicy = async () => replace(policy, await refreshPolicyCard(signal));
  const reloadAll = async () => {
    replace(review);
    await Promise.all([load(), loadPolicy()]).catch((err: unknown) => signal.aborted || showError(err));
  };
  replace(root, h('h1', {}, 'Segmentation runs'), policy, form, review, table);
  await Promise.all([load(), loadPolicy()]);
  let lastSeen = '';
  const onUpdate = (e: Event) => {
    const run = (e as CustomEvent<Run>).detail;
    if (`${run.id}:${run.status}` === lastSeen) return;
    lastSeen = `${run.id}:${run.status}`;
    load().catch((err: unknown) => signal.aborted || showError(err));
  };
  runEvents.addEventListener('update', onUpdate);
  return () => runEvents.removeEventListener('update', onUpdate);
};
