import path from 'node:path';
import { loadConfigOrExit } from './config.js';
import { createLogger } from './logger.js';
import { Db, timeoutsFrom } from './db/neo4j.js';
import { applySchema } from './db/schema.js';
import { javaOptionsFrom } from './db/local-neo4j.js';
import { superviseNeo4j, type SupervisedNeo4j } from './db/supervisor.js';
import { createServices } from './services.js';
import { createApp } from './app.js';
import { persistentSecret } from './secrets.js';
import { startup } from './startup.js';
import { listen, serverTimeoutsFrom } from './api/listen.js';
import { superviseWorker } from './worker/supervisor.js';
import { NICENESS } from './priority.js';

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL);
const stateDir = path.dirname(path.resolve(config.NEO4J_DATA_DIR));

let local: SupervisedNeo4j | undefined;
let uri = config.NEO4J_URI;
let password = config.NEO4J_PASSWORD;
// Giving up on the embedded Neo4j drains and exits non-zero once serving; before that it just exits.
let serving = false;
if (!uri) {
  // No database configured: reuse a local one already listening, otherwise start the embedded server. Either way its
  // password is NEO4J_PASSWORD or the one generated once into .data/neo4j-password (`npm run neo4j` keeps it there too).
  password = persistentSecret(config.NEO4J_PASSWORD || undefined, path.join(stateDir, 'neo4j-password'));
  const probe = new Db({ uri: `bolt://127.0.0.1:${config.NEO4J_PORT}`, user: config.NEO4J_USER, password });
  const running = await probe.ping(1500);
  await probe.close();
  if (running) {
    uri = `bolt://127.0.0.1:${config.NEO4J_PORT}`;
    logger.info({ uri }, 'using the Neo4j already listening on the default port');
  } else {
    // SEGMENTATION_ENGINE=gds runs in the database: load Graph Data Science (its jars are fetched once when missing).
    const gds = config.SEGMENTATION_ENGINE === 'gds';
    logger.info(
      { dataDir: config.NEO4J_DATA_DIR },
      `NEO4J_URI not set: starting the embedded Neo4j 5.26${gds ? ' with Graph Data Science 2.13' : ''}`,
    );
    // Restarted with backoff when it dies; when that keeps failing the process exits non-zero (README: supervision).
    local = await superviseNeo4j(
      {
        dataDir: config.NEO4J_DATA_DIR,
        port: config.NEO4J_PORT,
        gds,
        gc: config.NEO4J_GC,
        javaOptions: javaOptionsFrom(config.NEO4J_JAVA_OPTS),
        password,
        niceness: NICENESS.database,
      },
      {
        logger,
        onGiveUp: () => {
          if (serving) void shutdown('neo4j-gone', 1);
          else process.exit(1);
        },
      },
    );
    uri = local.uri;
  }
}

const db = new Db({ uri, user: config.NEO4J_USER, password, database: config.NEO4J_DATABASE, timeouts: timeoutsFrom(config) });
local?.attach(db);
await applySchema(db);

const adminKey = persistentSecret(config.ADMIN_API_KEY, path.join(stateDir, 'admin-api-key'), 'nsk_');
const secretKey = persistentSecret(config.SECRET_KEY, path.join(stateDir, 'secret-key'));
const services = createServices({ config, db, logger, secretKey });
await services.apiKeys.bootstrapAdmin(adminKey);
// A configured engine the database cannot run is a configuration error: say so now, not at every run.
try {
  const gdsVersion = await services.segmentation.engine.check();
  if (gdsVersion) logger.info({ version: gdsVersion }, 'segmentation runs in the database with Neo4j Graph Data Science');
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  await db.close();
  await local?.stop();
  process.exit(1);
}

// Runs execute in a worker process, never on this process's request loop: WORKER=embedded spawns and supervises one
// (it reaches the same database); WORKER=external leaves them to `npm run worker` processes.
const supervisor =
  config.WORKER === 'embedded' ? superviseWorker(services, { ...process.env, NEO4J_URI: uri, NEO4J_PASSWORD: password }) : undefined;

await services.start();
const app = createApp(services);
const { server, baseUrl } = await listen(app, config.PORT, config.HOST, serverTimeoutsFrom(config));
const base = config.PUBLIC_URL ?? baseUrl;

serving = true;

let stopping = false;
async function shutdown(signal: string, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down: draining requests');
  let code = exitCode;
  try {
    // close() stops accepting and waits for in-flight requests; idle keep-alive sockets are closed so it can finish.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Meanwhile the worker stops its run (cleaned up, marked failed) while the database is still here.
    const workerStopped = supervisor?.stop();
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000).unref();
    await closed;
    clearTimeout(force);
    await workerStopped;
    await services.shutdown();
    await db.close();
  } catch (err) {
    logger.error({ err }, 'shutdown did not finish cleanly');
    code = 1;
  } finally {
    // The embedded database stops whatever happened above, so no server outlives the process holding its files.
    await local?.stop().catch((err: unknown) => logger.error({ err }, 'could not stop the embedded Neo4j'));
  }
  logger.info('stopped');
  process.exit(code);
}
// Installed before the first run starts: a SIGTERM during start-up drains and stops it like any other.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await startup(services, logger);
} catch (err) {
  // Start-up work cut short by a shutdown (closed driver) is not a failure of its own.
  if (!stopping) throw err;
}

console.log(
  [
    '',
    `Natural segmentation is running`,
    `  Dashboard: ${base}/`,
    `  API docs:  ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
    `  Health:    ${base}/readyz`,
    `  Neo4j:     ${uri}${local ? ' (embedded, data in ' + config.NEO4J_DATA_DIR + ')' : ''}`,
    `  Admin API key: ${adminKey}`,
    `  Try: curl -H "Authorization: Bearer ${adminKey}" ${base}/v1/segments`,
    '',
  ].join('\n'),
);
