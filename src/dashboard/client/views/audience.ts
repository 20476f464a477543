import { ApiError, getJson, request, sendJson } from '../api.js';
import { clearError, fmtNumber, fmtPercent, fmtTime, h, replace, showError } from '../dom.js';
import { evaluationPill, type SavedAudience } from './audiences.js';
import type { View } from './view.js';
import type { DeliverySummary as Delivery, DestinationRecord as Destination } from '../../../audiences/destination-repository.js';

interface Interval {
  estimate: number;
  low: number;
  high: number;
}
interface Group {
  people: number;
  buyers: number;
  purchases: number;
  revenue: number;
}
interface Outcome {
  since: string;
  treated: Group;
  holdout: Group;
  treatedRate: number | null;
  holdoutRate: number | null;
  difference: Interval | null;
  relativeLift: Interval | null;
}

/** How often the page refreshes the audience, its destinations and outcome while it is open. */
const REFRESH_MS = 3000;

const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pts`;
const percent = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

function deliveryText(d: Delivery | null): string {
  if (!d) return 'nothing sent yet';
  if (d.state === 'delivered')
    return `delivered ${d.events} event${d.events === 1 ? '' : 's'} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'})`;
  const last = d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : 'not tried yet');
  if (d.state === 'failed') return `failed after ${d.attempts} attempts: ${last}`;
  return `retrying (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}: ${last}), next ${fmtTime(d.nextAttemptAt ?? undefined)}`;
}

function destinationsTable(items: Destination[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, 'No destination yet.');
  return h(
    'table',
    { class: 'grid compact', 'aria-label': 'Destinations' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Webhook', 'Queued', 'Last delivery'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((d) =>
        h(
          'tr',
          { 'data-destination': d.id },
          h('th', { scope: 'row' }, d.name ? `${d.name} — ${d.url}` : d.url),
          h('td', { class: 'num' }, fmtNumber(d.queued)),
          h('td', { class: d.lastDelivery?.state === 'failed' ? 'danger' : '' }, deliveryText(d.lastDelivery)),
        ),
      ),
    ),
  );
}

function outcomeBox(a: SavedAudience, o: Outcome | string): HTMLElement {
  if (typeof o === 'string') return h('p', { class: 'muted', id: 'outcome-note' }, o);
  const rate = (x: number | null) => (x === null ? '—' : fmtPercent(x));
  const row = (label: string, g: Group, r: number | null) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', { class: 'num' }, fmtNumber(g.people)),
      h('td', { class: 'num' }, fmtNumber(g.buyers)),
      h('td', { class: 'num' }, rate(r)),
    );
  const interval = (i: Interval | null, fmt: (x: number) => string) =>
    i ? `${fmt(i.estimate)} (95% interval ${fmt(i.low)} to ${fmt(i.high)})` : 'not enough data yet';
  return h(
    'div',
    {},
    h('p', { class: 'hint' }, `Purchases after ${fmtTime(o.since)} by the people who were members then; holdout ${a.holdoutPercent}%.`),
    h(
      'table',
      { class: 'grid compact', 'aria-label': 'Outcome' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Group', 'People', 'Buyers', 'Purchase rate'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, row('Exported', o.treated, o.treatedRate), row('Holdout', o.holdout, o.holdoutRate)),
    ),
    h(
      'dl',
      { class: 'metrics' },
      h('dt', {}, 'Difference'),
      h('dd', { id: 'outcome-difference' }, interval(o.difference, points)),
      h('dt', {}, 'Relative lift'),
      h('dd', { id: 'outcome-lift' }, interval(o.relativeLift, percent)),
    ),
  );
}

/** One saved audience: size and evaluation, CSV export, destinations (add one: its secret is shown once), outcome. */
export const audienceView: View = async ({ root, params, signal }) => {
  const id = params[0]!;
  const base = `/v1/audiences/${encodeURIComponent(id)}`;
  const summary = h('p', { class: 'lede', id: 'audience-summary' });
  const status = h('span', {});
  const destinationsBox = h('div', {});
  const outcomeSection = h('div', {});
  let audience = await getJson<SavedAudience>(base, { signal });

  const refresh = async () => {
    const [a, destinations] = await Promise.all([
      getJson<SavedAudience>(base, { signal }),
      getJson<{ items: Destination[] }>(`${base}/destinations`, { signal }),
    ]);
    audience = a;
    summary.textContent =
      `${fmtNumber(a.members)} members` +
      (a.holdoutPercent > 0 ? ` · ${fmtNumber(a.holdout)} in the holdout (${a.holdoutPercent}%)` : '') +
      ` · ${a.exports} export${a.exports === 1 ? '' : 's'}`;
    replace(status, evaluationPill(a));
    replace(destinationsBox, destinationsTable(destinations.items));
    let outcome: Outcome | string;
    if (a.holdoutPercent <= 0) outcome = 'No holdout: save the audience with a holdout to measure its outcome.';
    else {
      try {
        outcome = await getJson<Outcome>(`${base}/outcome`, { signal });
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 409)) throw err;
        outcome = 'Not exported yet: the outcome counts purchases after the first export (CSV or a destination).';
      }
    }
    replace(outcomeSection, outcomeBox(a, outcome));
  };

  const exportButton = h('button', { type: 'button', onclick: () => void exportCsv() }, 'Export CSV');
  const exportStatus = h('span', { role: 'status', class: 'muted', id: 'audience-export-status' });
  const exportCsv = async () => {
    clearError();
    exportButton.disabled = true;
    try {
      const res = await request(`${base}/members`, { accept: 'text/csv', signal });
      const url = URL.createObjectURL(new Blob([await res.blob()], { type: 'text/csv' }));
      const link = h('a', { href: url, download: `audience-${id}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      exportStatus.textContent = `Downloaded ${link.download}`;
      await refresh();
    } catch (err) {
      if (!signal.aborted) showError(err);
    } finally {
      exportButton.disabled = false;
    }
  };

  const url = h('input', {
    id: 'destination-url',
    name: 'url',
    type: 'url',
    required: true,
    placeholder: 'https://example.org/hooks/audience',
  });
  const secretBox = h('div', { role: 'status', id: 'destination-secret' });
  const addDestination = async () => {
    clearError();
    try {
      const d = await sendJson<{ secret: string }>('POST', `${base}/destinations`, { url: url.value.trim() });
      url.value = '';
      replace(
        secretBox,
        h('p', {}, 'Signing secret (copy it now: it is not shown again): ', h('code', { id: 'destination-secret-value' }, d!.secret)),
      );
      await refresh();
    } catch (err) {
      showError(err);
    }
  };

  replace(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/audiences' }, '← All saved audiences')),
    h('h1', {}, audience.name, ' ', status),
    summary,
    h('details', { class: 'card' }, h('summary', {}, 'Rule'), h('pre', {}, JSON.stringify(audience.where, null, 2))),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'export-h' },
      h('h2', { id: 'export-h' }, 'Export'),
      h('div', { class: 'actions' }, exportButton, exportStatus),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'destinations-h' },
      h('h2', { id: 'destinations-h' }, 'Destinations'),
      destinationsBox,
      h(
        'form',
        {
          class: 'inline-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void addDestination();
          },
        },
        h('label', { for: 'destination-url' }, 'Webhook URL'),
        url,
        h('button', { type: 'submit' }, 'Add destination'),
      ),
      secretBox,
    ),
    h('section', { class: 'card', 'aria-labelledby': 'outcome-h' }, h('h2', { id: 'outcome-h' }, 'Outcome'), outcomeSection),
  );
  await refresh();
  const timer = setInterval(() => void refresh().catch((err: unknown) => signal.aborted || showError(err)), REFRESH_MS);
  return () => clearInterval(timer);
};
