/**
 * Bench-only server: the API with the segmentation run worker hosted in its own process, i.e. runs executed on the
 * request loop as before the worker process existed. scripts/bench-serve-during-run.ts --mode in-process uses it as
 * the baseline. Environment as for `npm start` (NEO4J_URI required, PORT); prints `listening <url>` once bound.
 */
import { loadConfig } from '../../src/config.js';
import { Db, timeoutsFrom } from '../../src/db/neo4j.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { createApp } from '../../src/app.js';
import { listen, serverTimeoutsFrom } from '../../src/api/listen.js';
import { RunWorker } from '../../src/worker/run-worker.js';

const config = loadConfig();
if (!config.NEO4J_URI || !config.SECRET_KEY) throw new Error('serve-in-process needs NEO4J_URI and SECRET_KEY');
const db = new Db({
  uri: config.NEO4J_URI,
  user: config.NEO4J_USER,
  password: config.NEO4J_PASSWORD,
  database: config.NEO4J_DATABASE,
  timeouts: timeoutsFrom(config),
});
const services = createServices({ config, db, logger: createLogger(config.LOG_LEVEL), secretKey: config.SECRET_KEY });
if (config.ADMIN_API_KEY) await services.apiKeys.bootstrapAdmin(config.ADMIN_API_KEY);
await services.start();
const worker = new RunWorker(services, { pollMs: config.WORKER_POLL_MS });
services.segmentation.queue.onQueued(() => worker.nudge());
worker.start();
const { server, baseUrl } = await listen(createApp(services), config.PORT, config.HOST, serverTimeoutsFrom(config));
console.log(`listening ${baseUrl}`);

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void worker
    .stop()
    .then(() => services.shutdown())
    .then(() => db.close())
    .finally(() => process.exit(0));
});
