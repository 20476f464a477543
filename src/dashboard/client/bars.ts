import type { Affinities } from './api.js';
import { colourOf, fmtPercent, h } from './dom.js';

/**
 * A person's segment of one: one bar per segment (its share of the person's interest weight) with the topics that
 * put them there. `colours` maps segment ids to the colours used elsewhere, so a segment looks the same everywhere.
 */
export function segmentBars(a: Affinities, colours: Map<string, string> = new Map()): HTMLElement {
  if (a.segments.length === 0) {
    return h(
      'p',
      { class: 'muted' },
      'No segmented interests yet: this person has no interest that falls in a segment of the visible run.',
    );
  }
  return h(
    'ul',
    { class: 'bars', 'aria-label': 'Segment of one' },
    a.segments.map((s, i) =>
      h(
        'li',
        { class: 'bar-row' },
        h(
          'div',
          { class: 'bar-head' },
          h('span', { class: 'bar-label' }, s.label),
          h('span', { class: 'bar-value' }, `${fmtPercent(s.affinity)}`, h('span', { class: 'muted' }, ` · lift ${s.lift.toFixed(2)}`)),
        ),
        h(
          'div',
          {
            class: 'bar-track',
            role: 'meter',
            'aria-label': `Affinity to ${s.label}`,
            'aria-valuemin': 0,
            'aria-valuemax': 1,
            'aria-valuenow': Number(s.affinity.toFixed(4)),
            'aria-valuetext': fmtPercent(s.affinity),
          },
          h('div', {
            class: 'bar-fill',
            style: `width:${Math.max(1, s.affinity * 100).toFixed(1)}%;background:${colours.get(s.segmentId) ?? colourOf(i)}`,
          }),
        ),
        s.topics.length > 0 ? h('p', { class: 'bar-topics' }, h('span', { class: 'muted' }, 'Because of: '), s.topics.join(', ')) : null,
      ),
    ),
  );
}
