// There was a range index on RELATED.runId. Any relationship property index makes every relationship write gather
// index updates at commit (a profile of a bulk import put ~15% of commit time there), and RELATED is read per topic
// or scanned by type (tens of thousands of edges), which needs no index: it is dropped where an older start made it.
DROP INDEX related_run IF EXISTS
