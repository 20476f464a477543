import { fmtNumber, fmtPercent, fmtTime, h, replace } from '../dom.js';
import { loadRun, loadSegments, runStability, significanceOf, stabilityOf } from '../segments-data.js';
import { metricsList } from './runs.js';
import { granularityCard } from './curation.js';
import type { RunStability } from '../segments-data.js';
import type { View } from './view.js';

function stabilitySummary(st: RunStability): string {
  const kept = st.segments.filter((s) => s.previousId !== null);
  const mean = kept.length ? kept.reduce((a, s) => a + s.overlap, 0) / kept.length : undefined;
  const parts = [
    st.nmi !== null ? `agreement (NMI) ${st.nmi.toFixed(2)}` : '',
    mean !== undefined ? `kept segments share ${fmtPercent(mean)} of their topics on average` : '',
    `${st.appeared.length} new`,
    `${st.vanished.length} gone`,
    `${st.split.length} split`,
    `${st.merged.length} merged`,
  ].filter(Boolean);
  return `Since the previous run: ${parts.join(' · ')}`;
}

export const segmentsView: View = async ({ root, signal, rerender }) => {
  const segs = await loadSegments(signal);
  if (!segs.runId || segs.items.length === 0) {
    replace(root, h('h1', {}, 'Segments'), h('p', { class: 'empty' }, 'No segments yet. Import profiles, then press “Start a run” above.'));
    return;
  }
  const run = await loadRun(segs.runId, signal);
  const metrics = run?.metrics;
  const st = runStability(metrics);
  const stabilities = segs.items.map((s) => stabilityOf(s.id, st));
  // A content key may read segments but not curate them: no control then.
  const granularity = await granularityCard(rerender, signal).catch(() => null);

  replace(
    root,
    h('h1', {}, 'Segments'),
    h(
      'p',
      { class: 'lede' },
      `${segs.items.length} segments from run `,
      h('span', { class: 'mono' }, segs.runId),
      run?.finishedAt ? `, finished ${fmtTime(run.finishedAt)}` : '',
      typeof metrics?.significantSegments === 'number' ? `; ${metrics.significantSegments} significant` : '',
    ),
    st?.previousRunId ? h('p', { class: 'lede', id: 'run-stability' }, stabilitySummary(st)) : null,
    granularity,
    h(
      'table',
      { class: 'grid', 'aria-label': 'Segments' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Segment', 'People', 'Topics', 'Top topics', 'Stability', 'Significant'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        segs.items.map((s, i) => {
          const st = stabilities[i]!;
          const sig = significanceOf(s);
          return h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row' },
              h('span', { class: 'swatch', style: `background:${segs.colours.get(s.id)}`, 'aria-hidden': 'true' }),
              h('a', { href: `#/segments/${encodeURIComponent(s.id)}` }, s.label),
            ),
            h('td', { class: 'num' }, fmtNumber(s.userCount)),
            h('td', { class: 'num' }, fmtNumber(s.topicCount)),
            h('td', {}, s.topTopics.map((t) => t.name).join(', ')),
            h('td', { class: 'num', title: st.title }, st.overlap === undefined ? h('span', { class: 'muted' }, st.text) : st.text),
            h('td', { title: sig.title }, sig.text === 'yes' ? sig.text : h('span', { class: 'muted' }, sig.text)),
          );
        }),
      ),
    ),
    h('details', { class: 'card' }, h('summary', {}, 'Run metrics'), metricsList(metrics)),
  );
};
