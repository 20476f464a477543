/**
 * Reports: the insight into one audience under a title, as JSON (the dashboard's report view draws it), CSV, or the
 * report view printed by headless Chromium (PDF, PNG charts). The renderer opens the view with a render token that
 * stands for this report only, in this process only, for the render's deadline.
 */
import { csvLine } from '../api/csv.js';
import type { InsightService, Insight } from '../insight/insight-service.js';
import type { ReportRenderer } from './renderer.js';
import type { ReportSpec } from './share-link-repository.js';
import type { ShareLinkService } from './share-links.js';

export type ReportFormat = 'pdf' | 'png' | 'csv';
export type ReportChart = 'topics' | 'categories';

export interface ReportDocument {
  title: string;
  audience: ReportSpec['audience'];
  generatedAt: string;
  insight: Insight;
}

/** What a report shows of an audience (the insight endpoints' defaults). */
const REPORT_SIZES = { topics: 20, categories: 10, people: 10 };

export const REPORT_CSV_COLUMNS = ['kind', 'name', 'category', 'members', 'memberShare', 'holders', 'holderShare', 'lift'] as const;

export class ReportService {
  constructor(
    private readonly insight: InsightService,
    private readonly links: ShareLinkService,
    private readonly renderer: ReportRenderer,
    private readonly renderTimeoutMs: number,
  ) {}

  /** The report's title as given, else the segment's label (or a generic one for rules). */
  async resolve(audience: ReportSpec['audience'], title: string | undefined): Promise<{ spec: ReportSpec; insight: Insight }> {
    const insight = await this.insight.insight(audience, REPORT_SIZES);
    return { spec: { audience, title: title ?? insight.segment?.label ?? 'Audience from rules' }, insight };
  }

  async document(spec: ReportSpec): Promise<ReportDocument> {
    const insight = await this.insight.insight(spec.audience, REPORT_SIZES);
    return { title: spec.title, audience: spec.audience, generatedAt: new Date().toISOString(), insight };
  }

  /**
   * The file of a report. `origin` is where Chromium reaches this process (the address the request came in on).
   * The insight is computed first, so an unknown segment is a 404 before any browser work.
   */
  async file(
    spec: ReportSpec,
    format: ReportFormat,
    chart: ReportChart,
    origin: string,
  ): Promise<{ body: Buffer; type: string; filename: string }> {
    const slug =
      spec.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 40) || 'audience';
    const { insight } = await this.resolve(spec.audience, spec.title);
    if (format === 'csv') return { body: Buffer.from(reportCsv(insight)), type: 'text/csv; charset=utf-8', filename: `report-${slug}.csv` };
    // Chromium's requests come back to this process through the report view, with a token for this report only.
    const render = this.links.mintRenderToken(spec, this.renderTimeoutMs + 5_000);
    try {
      const url = `${origin}/#/shared/${render.token}`;
      if (format === 'pdf') return { body: await this.renderer.pdf(url), type: 'application/pdf', filename: `report-${slug}.pdf` };
      return { body: await this.renderer.png(url, `#chart-${chart}`), type: 'image/png', filename: `report-${slug}-${chart}.png` };
    } finally {
      render.release();
    }
  }
}

/** Over-indexed topics, then categories, one line each, with the figures the report shows. */
export function reportCsv(i: Insight): string {
  const lines = [csvLine(REPORT_CSV_COLUMNS)];
  for (const t of i.topics)
    lines.push(csvLine(['topic', t.name, t.category ?? '', t.members, t.memberShare, t.holders, t.holderShare, t.lift]));
  for (const c of i.categories) lines.push(csvLine(['category', c.name, '', c.members, c.memberShare, c.holders, c.holderShare, c.lift]));
  return lines.join('');
}
