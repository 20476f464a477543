import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * Graph Data Science is optional: when its jars are on the classpath too (scripts/neo4j/gds-lib, see gds-pom.xml), their
 * folder becomes the plugin directory, so Neo4j compiles the gds.* procedures and functions from it, and gds.* is
 * unrestricted. GDS's kernel extensions (which register the component every GDS procedure injects, and the
 * gds.graph.project aggregation) are found on the classpath by Neo4j's service loader. Without those jars nothing
 * changes; this file names no GDS class at compile time.
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
    DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(Path.of(data).toAbsolutePath());
    Path gds = gdsJarDirectory();
    if (gds != null) {
      builder
          .setConfig(GraphDatabaseSettings.plugin_dir, gds)
          .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("gds.*"));
      System.err.println("Graph Data Science jars found: loading gds.* procedures from " + gds);
    }
    DatabaseManagementService dbms = builder
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

  /** The folder of the GDS jars when they are on the classpath (looked up by name, so this compiles without them). */
  static Path gdsJarDirectory() {
    try {
      Class<?> extension = Class.forName(
          "org.neo4j.gds.extension.OpenGraphDataScienceExtension", false, Neo4jLauncher.class.getClassLoader());
      return Path.of(extension.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
    } catch (ClassNotFoundException e) {
      return null;
    } catch (Exception e) {
      System.err.println("Graph Data Science jars found but their folder is unknown (" + e + "); GDS stays off");
      return null;
    }
  }
}
