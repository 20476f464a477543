// Affinities were once written per person per run (User.affinityNext and this index); they are computed on read now.
// Dropped where an older start made it. The old properties and AFFINITY edges are removed by a background cleanup.
DROP INDEX user_affinity_next IF EXISTS
