import type { BulkProgress } from '../../src/ingest/bulk-load.js';

/** Progress of a bulk load for benchmarks' logs: each phase, every 200 MB read, neo4j-admin's lines without its bars. */
export function bulkLogProgress(prefix = ''): BulkProgress {
  let last = 0;
  return {
    phase: (label) => console.error(`${prefix}${label}...`),
    update: (done) => {
      if (done - last >= 200e6) {
        last = done;
        console.error(`${prefix}  ${Math.round(done / 1e6)} MB`);
      }
    },
    done: () => void (last = 0),
    log: (line) => {
      if (!/^[.\-\s]|^\s*$/.test(line)) console.error(`${prefix}[neo4j-admin] ${line}`);
    },
  };
}
