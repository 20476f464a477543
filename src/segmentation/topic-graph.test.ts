import { describe, expect, it } from 'vitest';
import { undirectedEdges } from './topic-graph.js';

describe('undirectedEdges', () => {
  it('keeps each pair once with its strongest weight, only between drawn topics, strongest first', () => {
    const nodes = new Set(['a', 'b', 'c']);
    const edges = undirectedEdges(
      [
        { source: 'a', target: 'b', weight: 0.2 },
        { source: 'b', target: 'a', weight: 0.5 },
        { source: 'c', target: 'a', weight: 0.3 },
        { source: 'a', target: 'a', weight: 9 },
        { source: 'a', target: 'z', weight: 9 },
      ],
      nodes,
    );
    expect(edges).toEqual([
      { source: 'a', target: 'b', weight: 0.5 },
      { source: 'a', target: 'c', weight: 0.3 },
    ]);
  });
});
