import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import picocli.CommandLine;

/**
 * Runs an embedded Neo4j community server with only the Bolt connector, for machines without Docker.
 * Usage: java -cp 'lib/*' Neo4jLauncher.java --data DIR [--port 7687] [--host 127.0.0.1] [--pagecache 512m] [--exit-on-stdin-eof]
 * With NEO4J_LAUNCHER_PASSWORD in the environment, authentication is on and user neo4j has that password (set before
 * the first start of a new data directory, and made the one in force on an existing one); without it, auth is off.
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
    Path home = Path.of(data).toAbsolutePath();
    // Authentication is on whenever the parent hands over a password (in the environment, never on the command line,
    // where every local user could read it).
    String password = System.getenv("NEO4J_LAUNCHER_PASSWORD");
    boolean auth = password != null && !password.isEmpty();
    boolean fresh = !Files.exists(home.resolve("data").resolve("databases").resolve("system"));
    if (auth && fresh) {
      // Before the system database exists: the server then never runs with the default neo4j/neo4j account.
      // (Its messages go to stderr: stdout carries only the NEO4J_READY line the parent waits for.)
      ExecutionContext ctx =
          new ExecutionContext(home, home.resolve("conf"), System.err, System.err, new DefaultFileSystemAbstraction());
      // "--" ends the options: a generated password may start with "-" (base64url), which picocli would read as one.
      int code = new CommandLine(new SetInitialPasswordCommand(ctx)).execute("--", password);
      if (code != 0) {
        System.err.println("could not set the initial password (exit " + code + ")");
        System.exit(2);
      }
    }
    DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
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
        .setConfig(GraphDatabaseSettings.auth_enabled, auth)
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
    if (auth && !fresh) {
      // A data directory from an earlier start (perhaps without authentication, or another password): the password
      // given now is the one in force. Bolt is already listening, but with the earlier credentials only.
      try {
        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", java.util.Map.of("password", password));
      } catch (RuntimeException e) {
        // "Old password and new password cannot be the same" is the usual case: nothing to change.
        if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
          System.err.println("could not set the password: " + e.getMessage());
          System.exit(2);
        }
      }
    }
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
