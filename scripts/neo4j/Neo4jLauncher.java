import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j community server with only the Bolt connector, for machines without Docker.
 * Usage: java -cp 'lib/*' Neo4jLauncher.java --data DIR [--port 7687] [--host 127.0.0.1] [--pagecache 512m] [--exit-on-stdin-eof]
 * Prints one line "NEO4J_READY bolt://host:port" once Bolt accepts connections, so a parent process can wait for it.
 * With --exit-on-stdin-eof the server stops when its parent closes stdin (or dies), so throwaway test
 * instances never outlive the test run.
 */
public class Neo4jLauncher {
  public static void main(String[] args) throws Exception {
    String data = null;
    String host = "127.0.0.1";
    int port = 7687;
    String pagecache = "256m";
    boolean exitOnEof = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--host" -> host = args[++i];
        case "--pagecache" -> pagecache = args[++i];
        case "--exit-on-stdin-eof" -> exitOnEof = true;
        default -> {
          System.err.println("unknown argument: " + args[i]);
          System.exit(2);
        }
      }
    }
    if (data == null) {
      System.err.println("--data DIR is required");
      System.exit(2);
    }
    DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(Path.of(data).toAbsolutePath())
        .setConfig(BoltConnector.enabled, true)
        .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
        .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
        .setConfig(HttpConnector.enabled, false)
        .setConfig(GraphDatabaseSettings.auth_enabled, false)
        .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
        .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
        .build();
    Object lock = new Object();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      dbms.shutdown();
      synchronized (lock) { lock.notifyAll(); }
    }));
    // Opening the default database blocks until it is available, so Bolt queries will succeed after this line.
    dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
    System.out.println("NEO4J_READY bolt://" + host + ":" + port);
    System.out.flush();
    if (exitOnEof) {
      InputStream in = System.in;
      try {
        while (in.read() != -1) { /* drain */ }
      } catch (IOException ignored) {
      }
      System.exit(0);
    }
    synchronized (lock) { lock.wait(); }
  }
}
