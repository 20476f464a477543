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
import type { Session, View } from './view.js';
import { sensitiveView } from './sensitive.js';

export type { Session, View, ViewContext } from './view.js';

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
    { pattern: /^\/sensitive$/, view: sensitiveView },
  ];
}
