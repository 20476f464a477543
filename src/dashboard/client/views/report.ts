import { ApiError, getJson, type AudienceDefinition, type Insight } from '../api.js';
import { fmtPercent, fmtTime, h, replace } from '../dom.js';
import { download } from '../download.js';
import { insightPanel } from '../insight-panel.js';
import type { View } from './view.js';

interface ReportDocument {
  title: string;
  audience: AudienceDefinition;
  generatedAt: string;
  expiresAt: string;
  insight: Insight;
}

function describe(a: AudienceDefinition, i: Insight): string {
  if ('segment' in a) {
    const t = [a.minAffinity ? `minimum affinity ${fmtPercent(a.minAffinity)}` : '', a.minLift ? `minimum lift ${a.minLift}` : ''].filter(
      Boolean,
    );
    return `Segment “${i.segment?.label ?? a.segment}”${t.length ? ` at ${t.join(' and ')}` : ', everyone with an interest in it'}`;
  }
  return 'An audience defined by rules';
}

/**
 * A report opened through its share link (`#/shared/<token>`): read-only, no key. Headless Chromium prints this same
 * view for PDF and PNG exports; `#report[data-state="ready"]` tells it (and tests) that the figures are drawn.
 */
export const sharedReportView: View = async ({ root, signal }) => {
  const article = h('article', { id: 'report', class: 'report', 'data-state': 'loading' });
  replace(root, article);
  let doc: ReportDocument;
  try {
    doc = await getJson<ReportDocument>('/v1/reports/shared', { signal });
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
    article.dataset.state = 'refused';
    replace(
      article,
      h('h1', {}, 'This link no longer opens the report'),
      h('p', { class: 'lede', id: 'refusal' }, err.message),
      h('p', {}, 'Ask whoever shared it for a new link.'),
    );
    return;
  }
  const status = h('span', { role: 'status', class: 'muted' });
  const exporter = (format: 'pdf' | 'png' | 'csv', label: string) => {
    const button: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => void download(`/v1/reports/shared/export?format=${format}`, { signal, button, status, what: label }),
      },
      label,
    );
    return button;
  };
  replace(
    article,
    h('h1', {}, doc.title),
    h('p', { class: 'lede', id: 'report-audience' }, describe(doc.audience, doc.insight)),
    h(
      'p',
      { class: 'muted' },
      `Generated ${fmtTime(doc.generatedAt)} from segmentation run `,
      h('span', { class: 'mono' }, doc.insight.runId),
      h('span', { class: 'no-print' }, ` · this link is read-only and valid until ${fmtTime(doc.expiresAt)}`),
    ),
    h(
      'div',
      { class: 'actions no-print' },
      exporter('pdf', 'Download PDF'),
      exporter('png', 'Chart (PNG)'),
      exporter('csv', 'CSV'),
      status,
    ),
    insightPanel(doc.insight, undefined, false),
  );
  article.dataset.state = 'ready';
};
