/**
 * The segmentation worker process: `npm run worker` (WORKER=external deployments), or spawned and supervised by the API
 * process (WORKER=embedded, src/worker/supervisor.ts). It claims queued runs from Neo4j and executes them; it serves
 * no HTTP. SIGTERM (or its parent going away) stops the run in progress, which is cleaned up and marked failed
 * ("interrupted: shutdown"), then the process exits 0.
 */
import path from 'node:path';
import { loadConfigOrExit } from '../config.js';
import { createLogger } from '../logger.js';
import { Db, timeoutsFrom } from '../db/neo4j.js';
import { applySchema } from '../db/schema.js';
import { Hooks } from '../hooks.js';
import { createSegmentation } from '../segmentation/index.js';
import { persistentSecret } from '../secrets.js';
import { RunWorker } from './run-worker.js';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL).child({ process: 'worker' });

// Without NEO4J_URI the worker uses the local Neo4j that `npm start` or `npm run neo4j` runs on NEO4J_PORT, with the
// password they keep in .data/neo4j-password (a supervising API process passes both).
const uri = config.NEO4J_URI ?? `bolt://127.0.0.1:${config.NEO4J_PORT}`;
const password = config.NEO4J_URI
  ? config.NEO4J_PASSWORD
  : persistentSecret(config.NEO4J_PASSWORD || undefined, path.join(path.dirname(path.resolve(config.NEO4J_DATA_DIR)), 'neo4j-password'));
const db = new Db({ uri, user: config.NEO4J_USER, password, database: config.NEO4J_DATABASE, timeouts: timeoutsFrom(config) });
if (!(await db.ping(5_000))) {
  console.error(`The run worker cannot reach Neo4j at ${uri}: set NEO4J_URI (or start the service, or \`npm run neo4j\`)`);
  await db.close();
  process.exit(1);
}
await applySchema(db);

// Only the segmentation feature: a run needs nothing per person (affinities are computed on read by the API processes).
const hooks = new Hooks();
const segmentation = createSegmentation({ config, db, logger }, hooks);
try {
  const version = await segmentation.engine.check();
  if (version) logger.info({ version }, 'segmentation runs in the database with Neo4j Graph Data Science');
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  await db.close();
  process.exit(1);
}

const worker = new RunWorker({ segmentation, logger }, { pollMs: config.WORKER_POLL_MS });

let stopping = false;
async function shutdown(reason: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'run worker stopping: a run in progress stops at its next check and is marked failed');
  let code = 0;
  try {
    await worker.stop();
    await hooks.emit('shutdown', {});
    await db.close();
  } catch (err) {
    logger.error({ err }, 'run worker shutdown did not finish cleanly');
    code = 1;
  }
  logger.info('run worker stopped');
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// Spawned by an API process: nudges arrive over IPC, and the worker does not outlive its parent.
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'nudge') worker.nudge();
});
process.on('disconnect', () => void shutdown('parent process gone'));

worker.start();
logger.info({ instanceId: worker.instanceId, engine: segmentation.engine.name, pollMs: config.WORKER_POLL_MS }, 'run worker ready');
process.send?.({ type: 'ready', instanceId: worker.instanceId });
