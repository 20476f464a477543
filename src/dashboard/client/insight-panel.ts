import type { CategoryLift, Insight, SegmentChange, TopicLift } from './api.js';
import { fmtNumber, fmtPercent, h } from './dom.js';

/**
 * What makes an audience different (GET /v1/segments/:id/insight, POST /v1/audiences/insight): over-indexed topics
 * with lift and support, top categories, the highest-affinity people and, for a segment, the change since the
 * previous run. Shared by the segment page and the report view, so both show the same figures.
 */

const fmtLift = (x: number) => `×${x.toFixed(2)}`;

/** One horizontal bar per row, scaled to the largest lift shown (the chart the PNG export captures). */
function liftChart(id: string, title: string, rows: Array<{ name: string; lift: number }>, colour: string): HTMLElement {
  const max = rows.reduce((m, r) => Math.max(m, r.lift), 0) || 1;
  return h(
    'figure',
    { class: 'chart', id, 'aria-label': title },
    h('figcaption', {}, title),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'Nothing over-indexes with enough support.')
      : h(
          'ul',
          { class: 'chart-bars' },
          rows.map((r) =>
            h(
              'li',
              {},
              h('span', { class: 'chart-label' }, r.name),
              h(
                'span',
                { class: 'chart-track' },
                h('span', { class: 'chart-fill', style: `width:${Math.max(1, (r.lift / max) * 100).toFixed(1)}%;background:${colour}` }),
              ),
              h('span', { class: 'chart-value' }, fmtLift(r.lift)),
            ),
          ),
        ),
  );
}

function liftTable(label: string, rows: Array<TopicLift | CategoryLift>, withCategory: boolean, links: boolean): HTMLElement {
  return h(
    'table',
    { class: 'grid compact', 'aria-label': label },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [
          withCategory ? 'Topic' : 'Category',
          ...(withCategory ? ['Category'] : []),
          'Members holding it',
          'Share of members',
          'Share of population',
          'Lift',
        ].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            'id' in r && links ? h('a', { href: `#/graph/${encodeURIComponent(r.id)}`, title: 'Show in the topic graph' }, r.name) : r.name,
          ),
          withCategory ? h('td', {}, 'category' in r ? (r.category ?? '') : '') : null,
          h('td', { class: 'num' }, fmtNumber(r.members)),
          h('td', { class: 'num' }, fmtPercent(r.memberShare)),
          h('td', { class: 'num' }, `${fmtPercent(r.holderShare)} (${fmtNumber(r.holders)})`),
          h('td', { class: 'num' }, r.lift.toFixed(2)),
        ),
      ),
    ),
  );
}

/** The change since the previous run, in words. */
export function changeText(c: SegmentChange | null): string {
  if (!c) return '';
  if (c.status === 'first-run') return 'First run: nothing to compare with yet.';
  const parts: string[] = [];
  if (c.status === 'new') parts.push('New since the previous run');
  else parts.push(`Kept from the previous run with ${fmtPercent(c.topicOverlap ?? 0)} of its topics`);
  if (c.userCountChange !== null)
    parts.push(
      `${c.userCountChange >= 0 ? '+' : '−'}${fmtNumber(Math.abs(c.userCountChange))} people (${fmtNumber(c.previous?.userCount ?? 0)} → ${fmtNumber(c.userCount ?? 0)})`,
    );
  for (const s of c.splitFrom) parts.push(`split off “${s.label ?? s.id}”`);
  if (c.mergedFrom.length > 1) parts.push(`merged from ${c.mergedFrom.map((m) => `“${m.label ?? m.id}”`).join(', ')}`);
  return parts.join(' · ');
}

export function insightSummary(i: Insight): string {
  return `${fmtNumber(i.size)} ${i.size === 1 ? 'person' : 'people'} · ${fmtPercent(i.populationShare)} of the population of ${fmtNumber(i.population)}`;
}

/** `links`: topics and people link to their views (not in a read-only shared report, which has no other view). */
export function insightPanel(i: Insight, colour = '#1f5fbf', links = true): HTMLElement {
  return h(
    'div',
    { class: 'insight', 'data-run': i.runId },
    h('p', { class: 'big', id: 'insight-size', 'data-size': i.size, 'data-population': i.population }, insightSummary(i)),
    i.change ? h('p', { class: 'lede', id: 'insight-change' }, changeText(i.change)) : null,
    i.label ? h('p', { class: 'lede' }, 'Over-indexing on: ', h('strong', {}, i.label)) : null,
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'over-h' },
        h('h3', { id: 'over-h' }, 'Over-indexed topics'),
        h(
          'p',
          { class: 'hint' },
          `Lift = share of members holding the topic / share of the population holding it; at least ${fmtNumber(i.minSupport)} members each.`,
        ),
        liftChart('chart-topics', 'Lift of the most over-indexed topics', i.topics.slice(0, 10), colour),
        liftTable('Over-indexed topics', i.topics, true, links),
      ),
      h(
        'section',
        { 'aria-labelledby': 'cat-h' },
        h('h3', { id: 'cat-h' }, 'Top categories'),
        liftChart('chart-categories', 'Lift of the top categories', i.categories, '#6b7b8c'),
        liftTable('Top categories', i.categories, false, links),
        h('h3', {}, 'Highest affinity'),
        i.topPeople.length === 0
          ? h('p', { class: 'muted' }, 'Nobody.')
          : h(
              'ol',
              { class: 'people', 'aria-label': 'Highest affinity' },
              i.topPeople.map((p) =>
                h(
                  'li',
                  {},
                  links ? h('a', { href: `#/people/${encodeURIComponent(p.user)}` }, p.user) : p.user,
                  h('span', { class: 'muted' }, ` ${fmtPercent(p.affinity)} · lift ${p.lift.toFixed(2)}`),
                ),
              ),
            ),
      ),
    ),
  );
}
