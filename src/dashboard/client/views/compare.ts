import { sendJson, type Comparison } from '../api.js';
import { clearError, fmtNumber, fmtPercent, h, replace, showError } from '../dom.js';
import { loadSegments } from '../segments-data.js';
import type { View } from './view.js';

/**
 * Two segments side by side (POST /v1/audiences/compare): sizes, the people in both, and the topics that over-index
 * in each against the other. `#/compare/:a/:b` opens with both chosen; thresholds are set in the form.
 */
export const compareView: View = async ({ root, params, signal }) => {
  const segs = await loadSegments(signal);
  const [first, second] = [params[0] ?? segs.items[0]?.id ?? '', params[1] ?? segs.items[1]?.id ?? ''];
  const select = (id: string, value: string) =>
    h(
      'select',
      { id, name: id },
      segs.items.map((s) => h('option', { value: s.id, selected: s.id === value }, s.label)),
    );
  const aSelect = select('compare-a', first);
  const bSelect = select('compare-b', second);
  const threshold = (id: string) => h('input', { id, type: 'number', min: '0', max: '1', step: '0.05', value: '0', inputmode: 'decimal' });
  const aMin = threshold('compare-a-min');
  const bMin = threshold('compare-b-min');
  const result = h('section', { id: 'comparison', 'aria-live': 'polite' });

  const compare = async () => {
    clearError();
    result.dataset.state = 'loading';
    try {
      const c = await sendJson<Comparison>(
        'POST',
        '/v1/audiences/compare',
        {
          a: { segment: aSelect.value, minAffinity: Number(aMin.value) || 0 },
          b: { segment: bSelect.value, minAffinity: Number(bMin.value) || 0 },
        },
        { signal },
      );
      replace(result, comparison(c!, segs.colours));
      result.dataset.state = 'done';
    } catch (err) {
      if (signal.aborted) return;
      replace(result);
      result.dataset.state = 'error';
      showError(err);
    }
  };

  replace(
    root,
    h('h1', {}, 'Compare'),
    segs.items.length < 2
      ? h('p', { class: 'empty' }, 'Comparing needs two segments: run a segmentation first.')
      : h(
          'form',
          {
            class: 'card compare-form',
            onsubmit: (e: Event) => {
              e.preventDefault();
              // The address names the pair (a link to share); the thresholds stay in the form.
              history.replaceState(null, '', `#/compare/${encodeURIComponent(aSelect.value)}/${encodeURIComponent(bSelect.value)}`);
              void compare();
            },
          },
          h(
            'div',
            { class: 'field' },
            h('label', { for: 'compare-a' }, 'Segment A'),
            aSelect,
            h('label', { for: 'compare-a-min' }, 'min. affinity'),
            aMin,
          ),
          h(
            'div',
            { class: 'field' },
            h('label', { for: 'compare-b' }, 'Segment B'),
            bSelect,
            h('label', { for: 'compare-b-min' }, 'min. affinity'),
            bMin,
          ),
          h('button', { type: 'submit' }, 'Compare'),
        ),
    result,
  );
  if (segs.items.length >= 2 && first && second) await compare();
};

function comparison(c: Comparison, colours: Map<string, string>): HTMLElement {
  const colourOf = (side: Comparison['a']) => ('segment' in side.audience ? colours.get(side.audience.segment) : undefined) ?? '#777';
  const onlyA = c.a.size - c.overlap.people;
  const onlyB = c.b.size - c.overlap.people;
  const all = onlyA + onlyB + c.overlap.people || 1;
  const part = (n: number, colour: string, label: string) =>
    h('span', {
      class: 'overlap-part',
      style: `width:${((n / all) * 100).toFixed(2)}%;background:${colour}`,
      title: `${label}: ${fmtNumber(n)}`,
    });
  return h(
    'div',
    { 'data-run': c.runId },
    h(
      'div',
      { class: 'compare-cards' },
      card('A', c.a, colourOf(c.a)),
      h(
        'div',
        { class: 'card', id: 'overlap', 'data-people': c.overlap.people },
        h('h2', {}, 'In both'),
        h('p', { class: 'big' }, `${fmtNumber(c.overlap.people)} people`),
        h(
          'p',
          { class: 'muted' },
          `${fmtPercent(c.overlap.shareOfA)} of A · ${fmtPercent(c.overlap.shareOfB)} of B · Jaccard ${c.overlap.jaccard.toFixed(3)}`,
        ),
        h(
          'div',
          { class: 'overlap-bar', role: 'img', 'aria-label': `Only A ${onlyA}, both ${c.overlap.people}, only B ${onlyB}` },
          part(onlyA, colourOf(c.a), 'Only A'),
          part(c.overlap.people, '#444', 'Both'),
          part(onlyB, colourOf(c.b), 'Only B'),
        ),
      ),
      card('B', c.b, colourOf(c.b)),
    ),
    h(
      'div',
      { class: 'columns even' },
      topicsTable(`Over-indexing in A (${c.a.label})`, 'topics-a', c.topicsA),
      topicsTable(`Over-indexing in B (${c.b.label})`, 'topics-b', c.topicsB),
    ),
    h(
      'p',
      { class: 'hint' },
      `Lift = share of one audience holding the topic / share of the other; at least ${c.minSupport.a} (A) or ${c.minSupport.b} (B) members each.`,
    ),
  );
}

function card(name: string, side: Comparison['a'], colour: string): HTMLElement {
  return h(
    'div',
    { class: 'card', id: `side-${name.toLowerCase()}`, 'data-size': side.size },
    h('h2', {}, h('span', { class: 'swatch', style: `background:${colour}`, 'aria-hidden': 'true' }), `${name}: ${side.label}`),
    h('p', { class: 'big' }, `${fmtNumber(side.size)} people`),
    h('p', { class: 'muted' }, `${fmtPercent(side.populationShare)} of the population`),
  );
}

function topicsTable(title: string, id: string, rows: Comparison['topicsA']): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'Nothing over-indexes with enough support.')
      : h(
          'table',
          { class: 'grid compact', 'aria-label': title, id },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Topic', 'Category', 'A holders', 'B holders', 'Lift'].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            rows.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: `#/graph/${encodeURIComponent(r.id)}` }, r.name)),
                h('td', {}, r.category ?? ''),
                h('td', { class: 'num' }, `${fmtNumber(r.a.members)} (${fmtPercent(r.a.share)})`),
                h('td', { class: 'num' }, `${fmtNumber(r.b.members)} (${fmtPercent(r.b.share)})`),
                h('td', { class: 'num' }, r.lift.toFixed(2)),
              ),
            ),
          ),
        ),
  );
}
