import { getJson, withQuery, type AudienceMember, type Insight, type Page, type Segment, type SegmentTopic } from '../api.js';
import { fmtNumber, fmtPercent, h, replace, showError } from '../dom.js';
import { download } from '../download.js';
import { reportCard } from './report-actions.js';
import { insightPanel } from '../insight-panel.js';
import { loadSegments, qualityRows } from '../segments-data.js';
import { metricsList } from './runs.js';
import { curationCard } from './curation.js';
import type { View } from './view.js';

const TOPICS_PAGE = 25;

export const segmentView: View = async ({ root, params, signal, rerender }) => {
  const id = params[0]!;
  const base = `/v1/segments/${encodeURIComponent(id)}`;
  const [seg, segs] = await Promise.all([getJson<Segment>(base, { signal }), loadSegments(signal)]);
  const colour = segs.colours.get(seg.id) ?? '#777';

  // ---- topics, one page at a time; cursors are opaque, so "previous" replays the stack of cursors seen
  const topicsBox = h('div', { class: 'topics' });
  const cursors: Array<string | undefined> = [undefined];
  let pageIndex = 0;
  const showTopics = async () => {
    const page = await getJson<Page<SegmentTopic>>(withQuery(`${base}/topics`, { limit: TOPICS_PAGE, cursor: cursors[pageIndex] }), {
      signal,
    });
    if (page.nextCursor) cursors[pageIndex + 1] = page.nextCursor;
    const prev = h('button', { type: 'button', disabled: pageIndex === 0, onclick: () => go(-1) }, 'Previous topics');
    const next = h('button', { type: 'button', disabled: !page.nextCursor, onclick: () => go(1) }, 'Next topics');
    const first = pageIndex * TOPICS_PAGE;
    replace(
      topicsBox,
      h(
        'table',
        { class: 'grid', 'aria-label': 'Topics in this segment' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Topic', 'Category', 'Centrality'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          page.items.map((t) =>
            h(
              'tr',
              {},
              h('td', {}, h('a', { href: `#/graph/${encodeURIComponent(t.id)}`, title: 'Show in the topic graph' }, t.name)),
              h('td', {}, t.category ?? ''),
              h('td', { class: 'num' }, t.score.toFixed(3)),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'pager' },
        prev,
        h(
          'span',
          { class: 'muted' },
          `Topics ${first + (page.items.length ? 1 : 0)}–${first + page.items.length} of ${fmtNumber(seg.topicCount)}`,
        ),
        next,
      ),
    );
  };
  const go = (delta: number) => {
    pageIndex += delta;
    showTopics().catch((err: unknown) => signal.aborted || showError(err));
  };

  // ---- audience at a chosen minimum affinity (and optional lift)
  const slider = h('input', { id: 'min-affinity', type: 'range', min: '0', max: '1', step: '0.05', value: '0.2' });
  const sliderValue = h('output', { for: 'min-affinity', id: 'min-affinity-value' }, fmtPercent(0.2));
  const lift = h('input', { id: 'min-lift', type: 'number', min: '0', step: '0.1', placeholder: 'any', inputmode: 'decimal' });
  const audienceSize = h('p', { id: 'audience-size', role: 'status', class: 'big' });
  const preview = h('div');
  let counting: AbortController | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  const audienceQuery = () => ({
    minAffinity: Number(slider.value),
    minLift: lift.value.trim() === '' ? undefined : Number(lift.value),
  });

  const countAudience = async () => {
    counting?.abort();
    const controller = new AbortController();
    counting = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    const q = audienceQuery();
    const label = `at minimum affinity ${fmtPercent(q.minAffinity)}${q.minLift !== undefined ? ` and lift ≥ ${q.minLift}` : ''}`;
    audienceSize.textContent = `Counting the audience ${label}…`;
    audienceSize.dataset.state = 'counting';
    try {
      const path = withQuery(`${base}/audience`, q);
      // The first page carries the audience's `total` (API extension) and doubles as the preview.
      const first = await getJson<Page<AudienceMember> & { total: number }>(withQuery(path, { limit: 10 }), { signal: controller.signal });
      const count = first.total;
      audienceSize.textContent = `Audience ${label}: ${fmtNumber(count)} ${count === 1 ? 'person' : 'people'}`;
      audienceSize.dataset.state = 'done';
      audienceSize.dataset.count = String(count);
      replace(preview, audiencePreview(first.items, count));
    } catch (err) {
      if (controller.signal.aborted) return;
      audienceSize.textContent = '';
      audienceSize.dataset.state = 'error';
      showError(err);
    }
  };
  // ---- insight into the audience at the same thresholds
  const insightBox = h(
    'div',
    { id: 'insight', 'aria-busy': 'true' },
    h('p', { class: 'muted' }, 'Looking for what makes this audience different…'),
  );
  let insighting: AbortController | undefined;
  const loadInsight = async () => {
    insighting?.abort();
    const controller = new AbortController();
    insighting = controller;
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    insightBox.setAttribute('aria-busy', 'true');
    try {
      const insight = await getJson<Insight>(withQuery(`${base}/insight`, audienceQuery()), { signal: controller.signal });
      replace(insightBox, insightPanel(insight, colour));
      insightBox.dataset.state = 'done';
    } catch (err) {
      if (controller.signal.aborted) return;
      replace(insightBox);
      insightBox.dataset.state = 'error';
      showError(err);
    } finally {
      if (!controller.signal.aborted) insightBox.setAttribute('aria-busy', 'false');
    }
  };

  const onFilterChange = () => {
    sliderValue.textContent = fmtPercent(Number(slider.value));
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      void countAudience();
      void loadInsight();
    }, 250);
  };
  slider.addEventListener('input', onFilterChange);
  lift.addEventListener('input', onFilterChange);

  const exportButton = h('button', { type: 'button', onclick: () => void exportCsv() }, 'Export CSV');
  const exportStatus = h('span', { role: 'status', class: 'muted', id: 'export-status' });
  const exportCsv = () => {
    const q = audienceQuery();
    return download(withQuery(`${base}/audience`, q), {
      accept: 'text/csv',
      signal,
      name: csvName(seg, q.minAffinity),
      button: exportButton,
      status: exportStatus,
      what: 'CSV',
    });
  };

  const others = segs.items.filter((s) => s.id !== seg.id);
  const compareWith = h(
    'select',
    { id: 'compare-with', 'aria-label': 'Compare with' },
    others.map((s) => h('option', { value: s.id }, s.label)),
  );
  const compareForm =
    others.length === 0
      ? null
      : h(
          'form',
          {
            class: 'inline-form',
            onsubmit: (e: Event) => {
              e.preventDefault();
              location.hash = `#/compare/${encodeURIComponent(seg.id)}/${encodeURIComponent(compareWith.value)}`;
            },
          },
          h('label', { for: 'compare-with' }, 'Compare with'),
          compareWith,
          h('button', { type: 'submit', class: 'secondary' }, 'Compare'),
        );

  replace(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/segments' }, '← All segments')),
    h('h1', {}, h('span', { class: 'swatch big', style: `background:${colour}`, 'aria-hidden': 'true' }), seg.label),
    h(
      'p',
      { class: 'lede' },
      `${fmtNumber(seg.userCount)} people · ${fmtNumber(seg.topicCount)} topics`,
      seg.topTopics.length ? ` · top topics: ${seg.topTopics.map((t) => t.name).join(', ')}` : '',
    ),
    compareForm,
    h(
      'div',
      { class: 'columns' },
      h('section', { 'aria-labelledby': 'topics-h' }, h('h2', { id: 'topics-h' }, 'Topics'), topicsBox),
      h(
        'section',
        { 'aria-labelledby': 'audience-h', class: 'card' },
        h('h2', { id: 'audience-h' }, 'Audience'),
        h('div', { class: 'field' }, h('label', { for: 'min-affinity' }, 'Minimum affinity'), slider, sliderValue),
        h('div', { class: 'field' }, h('label', { for: 'min-lift' }, 'Minimum lift (optional)'), lift),
        audienceSize,
        h('div', { class: 'actions' }, exportButton, exportStatus),
        preview,
      ),
    ),
    curationCard(seg, segs.items, rerender),
    qualitySection(seg),
    h(
      'section',
      { 'aria-labelledby': 'insight-h', class: 'card' },
      h('h2', { id: 'insight-h' }, 'What makes this audience different'),
      h(
        'p',
        { class: 'hint' },
        'The audience at the thresholds above, compared with the population: consenting people with an interest in any segment of this run.',
      ),
      insightBox,
    ),
    reportCard(() => ({ segment: seg.id, ...audienceQuery() }), seg.label, signal),
    seg.metrics ? h('details', { class: 'card' }, h('summary', {}, 'Run metrics'), metricsList(seg.metrics)) : null,
  );
  await showTopics();
  void countAudience();
  void loadInsight();
  return () => {
    clearTimeout(debounce);
    counting?.abort();
    insighting?.abort();
  };
};

/** Per-segment quality (cohesion, conductance, significance, stability across seeds), when the run measured it. */
function qualitySection(seg: Segment): HTMLElement | null {
  const rows = qualityRows(seg);
  if (rows.length === 0) return null;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'quality-h' },
    h('h2', { id: 'quality-h' }, 'Quality'),
    h(
      'dl',
      { class: 'metrics quality', 'aria-label': 'Segment quality' },
      rows.flatMap((r) => [h('dt', { title: r.title }, r.name), h('dd', { title: r.title, 'data-quality': r.name }, r.value)]),
    ),
  );
}

function audiencePreview(items: AudienceMember[], count: number): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, 'Nobody at this threshold.');
  return h(
    'table',
    { class: 'grid compact', 'aria-label': 'Audience preview' },
    h('caption', {}, count > items.length ? `First ${items.length} of ${fmtNumber(count)}` : 'Everyone'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Person', 'Affinity', 'Lift'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((m) =>
        h(
          'tr',
          {},
          h('td', {}, h('a', { href: `#/people/${encodeURIComponent(m.user)}` }, m.user)),
          h('td', { class: 'num' }, fmtPercent(m.affinity)),
          h('td', { class: 'num' }, m.lift.toFixed(2)),
        ),
      ),
    ),
  );
}

function csvName(seg: Segment, minAffinity: number): string {
  const slug =
    seg.label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || seg.id;
  return `audience-${slug}-min${Math.round(minAffinity * 100)}.csv`;
}
