// GDS engine: Leiden on the similarity graph (gamma = the run's resolution, seeded), every level as `communities`.
CALL gds.leiden.mutate($similarity, {
  relationshipWeightProperty: 'weight',
  includeIntermediateCommunities: true,
  gamma: toFloat($resolution),
  randomSeed: toInteger($seed),
  maxLevels: toInteger($maxLevels),
  concurrency: toInteger($concurrency),
  mutateProperty: 'communities'
})
YIELD modularity, ranLevels, communityCount
RETURN modularity, ranLevels AS levels, communityCount AS communities
