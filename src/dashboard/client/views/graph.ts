import { UndirectedGraph } from 'graphology';
import { circlepack } from 'graphology-layout';
import fa2module, { type ForceAtlas2Settings, type ForceAtlas2SynchronousLayoutParameters } from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import { getJson, type TopicGraph } from '../api.js';
import { fmtNumber, h, replace, showError } from '../dom.js';
import { loadSegments, type Segments } from '../segments-data.js';
import type { View } from './view.js';

// A CommonJS module typed with `export default`: tsc (NodeNext) and esbuild disagree on what the default import is.
const fa2 = ((fa2module as unknown as { default?: unknown }).default ?? fa2module) as {
  assign(graph: UndirectedGraph, params: ForceAtlas2SynchronousLayoutParameters): void;
  inferSettings(graph: UndirectedGraph): ForceAtlas2Settings;
};

interface NodeAttrs {
  label: string;
  segment: string;
  category: string | null;
  score: number;
  color: string;
  size: number;
  x: number;
  y: number;
}
interface GraphData {
  runId: string;
  segs: Segments;
  graph: UndirectedGraph<NodeAttrs>;
}

// One layout per run: coming back to the graph view should not refetch and re-lay out everything.
let cache: GraphData | undefined;

async function loadGraph(segs: Segments, signal: AbortSignal, progress: (msg: string) => void): Promise<GraphData> {
  if (cache && cache.runId === segs.runId) return cache;
  const graph = new UndirectedGraph<NodeAttrs>();
  progress('Loading the topic graph…');
  // One answer with every topic and link (API extension), instead of a request per segment and per topic.
  const data = await getJson<TopicGraph>('/v1/segments/graph', { signal });
  for (const t of data.nodes) {
    const color = segs.colours.get(t.segmentId);
    if (!color || graph.hasNode(t.id)) continue;
    graph.addNode(t.id, {
      label: t.name,
      segment: t.segmentId,
      category: t.category ?? null,
      score: t.score,
      color,
      size: 3 + 9 * Math.sqrt(Math.max(0, Math.min(1, t.score))),
      x: 0,
      y: 0,
    });
  }
  for (const e of data.edges) {
    if (graph.hasNode(e.source) && graph.hasNode(e.target) && !graph.hasEdge(e.source, e.target)) {
      graph.addEdge(e.source, e.target, { weight: e.weight, size: 0.5 + Math.min(3, e.weight) });
    }
  }

  progress('Laying out the graph…');
  // Circle packing by segment gives each community its own region; a few ForceAtlas2 passes then pull linked topics
  // together. LinLog keeps dense communities from collapsing into a dot (plain FA2 shrinks them to ~1% of the view).
  circlepack.assign(graph, { hierarchyAttributes: ['segment'] });
  if (graph.size > 0) {
    fa2.assign(graph, {
      iterations: graph.order > 2000 ? 30 : 60,
      settings: { ...fa2.inferSettings(graph), linLogMode: true, barnesHutOptimize: graph.order > 500 },
      getEdgeWeight: 'weight',
    });
  }
  cache = { runId: segs.runId!, segs, graph };
  return cache;
}

export const graphView: View = async ({ root, params, signal }) => {
  const segs = await loadSegments(signal);
  if (!segs.runId || segs.items.length === 0) {
    replace(
      root,
      h('h1', {}, 'Topic graph'),
      h('p', { class: 'empty' }, 'No segments yet. Import profiles, then press “Start a run” above.'),
    );
    return;
  }
  const status = h('p', { id: 'graph-status', role: 'status', class: 'muted' }, 'Loading…');
  const container = h('div', { id: 'graph', class: 'graph-canvas', role: 'img', 'aria-label': 'Topic graph coloured by segment' });
  const search = h('input', { id: 'topic-search', type: 'search', list: 'topic-names', placeholder: 'Trail running', autocomplete: 'off' });
  const datalist = h('datalist', { id: 'topic-names' });
  const details = h(
    'aside',
    { class: 'card topic-details', 'aria-label': 'Focused topic' },
    h('p', { class: 'muted' }, 'Search or click a topic.'),
  );
  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': 'Segments' },
    segs.items.map((s) =>
      h(
        'li',
        {},
        h('span', { class: 'swatch', style: `background:${segs.colours.get(s.id)}`, 'aria-hidden': 'true' }),
        h('a', { href: `#/segments/${encodeURIComponent(s.id)}` }, s.label),
      ),
    ),
  );
  const zoomIn = h('button', { type: 'button', class: 'secondary' }, 'Zoom in');
  const zoomOut = h('button', { type: 'button', class: 'secondary' }, 'Zoom out');
  const reset = h('button', { type: 'button', class: 'secondary' }, 'Reset view');
  replace(
    root,
    h('h1', {}, 'Topic graph'),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'form',
        {
          role: 'search',
          class: 'inline-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            focusByName(search.value);
          },
        },
        h('label', { for: 'topic-search' }, 'Search topics'),
        search,
        datalist,
        h('button', { type: 'submit' }, 'Find'),
      ),
      h('div', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' }, zoomIn, zoomOut, reset),
    ),
    status,
    h('div', { class: 'graph-layout' }, container, h('div', { class: 'side' }, details, legend)),
  );

  const data = await loadGraph(segs, signal, (m) => (status.textContent = m));
  if (signal.aborted) return;
  const { graph } = data;
  replace(
    datalist,
    graph.mapNodes((_id, a) => h('option', { value: a.label })),
  );
  const summary = `${fmtNumber(graph.order)} topics, ${fmtNumber(graph.size)} links, ${fmtNumber(segs.items.length)} segments`;
  status.textContent = summary;

  let focused: string | undefined;
  let neighbours = new Set<string>();
  let renderer: Sigma<NodeAttrs>;
  try {
    renderer = new Sigma<NodeAttrs>(graph, container, {
      labelRenderedSizeThreshold: 7,
      defaultEdgeColor: '#d0d4da',
      zIndex: true,
      nodeReducer: (node, attrs) => {
        if (!focused) return attrs;
        if (node === focused) return { ...attrs, highlighted: true, forceLabel: true, zIndex: 2, size: attrs.size * 1.6 };
        if (neighbours.has(node)) return { ...attrs, forceLabel: true, zIndex: 1 };
        return { ...attrs, color: '#dfe3e8', label: '', zIndex: 0 };
      },
      edgeReducer: (edge, attrs) => {
        if (!focused) return attrs;
        return graph.hasExtremity(edge, focused) ? { ...attrs, color: '#555', zIndex: 1 } : { ...attrs, hidden: true };
      },
    });
  } catch (err) {
    // No WebGL (old browser, disabled GPU): say so rather than leave an empty box.
    replace(container, h('p', { class: 'error-text' }, `The graph cannot be drawn in this browser: ${(err as Error).message}`));
    return;
  }
  container.dataset.ready = 'true';
  const camera = renderer.getCamera();
  // The zoom level on the element lets tests (and curious users in devtools) see what the canvas shows.
  const showZoom = () => (container.dataset.zoom = (1 / camera.ratio).toFixed(2));
  camera.on('updated', showZoom);
  showZoom();
  zoomIn.addEventListener('click', () => void camera.animatedZoom({ duration: 300 }));
  zoomOut.addEventListener('click', () => void camera.animatedUnzoom({ duration: 300 }));
  reset.addEventListener('click', () => {
    focus(undefined);
    void camera.animatedReset({ duration: 300 });
  });
  renderer.on('clickNode', ({ node }) => focus(node));
  renderer.on('clickStage', () => focus(undefined));

  function focus(node: string | undefined) {
    focused = node;
    neighbours = new Set(node ? graph.neighbors(node) : []);
    renderer.refresh({ skipIndexation: true });
    if (!node) {
      status.textContent = summary;
      replace(details, h('p', { class: 'muted' }, 'Search or click a topic.'));
      return;
    }
    const a = graph.getNodeAttributes(node);
    const seg = segs.items.find((s) => s.id === a.segment);
    const display = renderer.getNodeDisplayData(node);
    if (display) void camera.animate({ x: display.x, y: display.y, ratio: Math.min(camera.ratio, 0.35) }, { duration: 500 });
    replace(
      details,
      h('h2', { id: 'focused-topic' }, a.label),
      a.category ? h('p', { class: 'muted' }, a.category) : null,
      h(
        'p',
        {},
        'Segment: ',
        h('span', { class: 'swatch', style: `background:${a.color}`, 'aria-hidden': 'true' }),
        h('a', { href: `#/segments/${encodeURIComponent(a.segment)}` }, seg?.label ?? a.segment),
      ),
      neighbours.size
        ? h(
            'div',
            {},
            h('h3', {}, 'Related topics'),
            h(
              'ul',
              { class: 'chips' },
              [...neighbours].map((n) => {
                const b = h('button', { type: 'button', class: 'chip' }, graph.getNodeAttribute(n, 'label'));
                b.addEventListener('click', () => focus(n));
                return h('li', {}, b);
              }),
            ),
          )
        : h('p', { class: 'muted' }, 'No related topics.'),
    );
    status.textContent = `Focused on “${a.label}” in ${seg?.label ?? a.segment}`;
  }

  function focusByName(query: string) {
    const q = query.trim().toLocaleLowerCase();
    if (!q) return focus(undefined);
    const names = graph.mapNodes((id, a) => [id, a.label.toLocaleLowerCase()] as const);
    const hit = names.find(([, n]) => n === q) ?? names.find(([, n]) => n.startsWith(q)) ?? names.find(([, n]) => n.includes(q));
    if (hit) focus(hit[0]);
    else showError(`No topic in the graph matches “${query.trim()}”.`);
  }

  const initial = params[0];
  if (initial) {
    if (graph.hasNode(initial)) focus(initial);
    else showError('That topic is not in a segment of the visible run.');
  }
  return () => renderer.kill();
};
