import { fileURLToPath } from 'node:url';
import { addCypherDir } from '../../src/db/cypher.js';
import '../../scripts/lib/bench-cypher.js';

// Test-only statements (planting stale runs, counting what a run left) live in test/cypher, never in cypher/.
addCypherDir(fileURLToPath(new URL('../cypher/', import.meta.url)));
