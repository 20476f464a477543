import { audienceView } from './audience.js';
import { audiencesView } from './audiences.js';
import { compareView } from './compare.js';
import { graphView } from './graph.js';
import { meView } from './me.js';
import { peopleView } from './people.js';
import { sharedReportView } from './report.js';
import { runsView } from './runs.js';
import { segmentView } from './segment.js';
import { segmentsView } from './segments.js';

export type Session = { kind: 'marketer' } | { kind: 'person'; me: Record<string, unknown> } | { kind: 'shared' };

export interface ViewContext {
  root: HTMLElement;
  /** Decoded capture groups of the route pattern. */
  params: string[];
  session: Session;
  /** Aborted when the user navigates away: views stop fetching and polling. */
  signal: AbortSignal;
  rerender: () => void;
  endSession: () => void;
}

/** A view renders into `root`; it may return a cleanup (e.g. to free the WebGL context). */
export type View = (ctx: ViewContext) => Promise<void | (() => void)>;

export function routes(session: Session): Array<{ pattern: RegExp; view: View }> {
  if (session.kind === 'person') return [{ pattern: /^\/me$/, view: meView }];
  if (session.kind === 'shared') return [{ pattern: /^\/shared\/([^/]+)$/, view: sharedReportView }];
  return [
    { pattern: /^\/segments$/, view: segmentsView },
    { pattern: /^\/segments\/([^/]+)$/, view: segmentView },
    { pattern: /^\/graph$/, view: graphView },
    { pattern: /^\/graph\/([^/]+)$/, view: graphView },
    { pattern: /^\/people$/, view: peopleView },
    { pattern: /^\/people\/([^/]+)$/, view: peopleView },
    { pattern: /^\/runs$/, view: runsView },
    { pattern: /^\/audiences$/, view: audiencesView },
    { pattern: /^\/audiences\/([^/]+)$/, view: audienceView },
    { pattern: /^\/compare$/, view: compareView },
    { pattern: /^\/compare\/([^/]+)\/([^/]+)$/, view: compareView },
  ];
}
