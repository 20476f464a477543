export interface GraphLink {
  source: string;
  target: string;
  weight: number;
}

/**
 * RELATED edges are stored per topic (its strongest neighbours), so a pair can be there twice, once from each side.
 * The graph shows each pair once, with its strongest weight, and only between topics it draws.
 */
export function undirectedEdges(links: Iterable<GraphLink>, nodes: ReadonlySet<string>): GraphLink[] {
  const best = new Map<string, GraphLink>();
  for (const l of links) {
    if (l.source === l.target || !nodes.has(l.source) || !nodes.has(l.target)) continue;
    const [source, target] = l.source < l.target ? [l.source, l.target] : [l.target, l.source];
    const key = `${source}\u0000${target}`;
    const seen = best.get(key);
    if (!seen || l.weight > seen.weight) best.set(key, { source, target, weight: l.weight });
  }
  return [...best.values()].sort(
    (a, b) => b.weight - a.weight || (a.source < b.source ? -1 : a.source > b.source ? 1 : a.target < b.target ? -1 : 1),
  );
}
