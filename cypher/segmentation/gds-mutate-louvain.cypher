// GDS engine: Louvain on the similarity graph, keeping every level as the node property `communities` (a list, first
// aggregation first). GDS Louvain has no resolution parameter and no random seed: concurrency 1 makes it deterministic.
CALL gds.louvain.mutate($similarity, {
  relationshipWeightProperty: 'weight',
  includeIntermediateCommunities: true,
  maxLevels: toInteger($maxLevels),
  concurrency: toInteger($concurrency),
  mutateProperty: 'communities'
})
YIELD modularity, ranLevels, communityCount
RETURN modularity, ranLevels AS levels, communityCount AS communities
