package dev.sqlgraph.neo4j;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * A Neo4j Community server for SQL Graph's tests: Neo4j embedded with a Bolt
 * connector on 127.0.0.1, authentication on, data under a folder of its own.
 *
 * Usage: java -Xmx512m -jar sqlgraph-neo4j.jar PORT DATA_DIR
 * with the password for user neo4j in the environment variable
 * SQLGRAPH_NEO4J_PASSWORD (not an argument, so that `ps` does not show it).
 *
 * Prints exactly one line "NEO4J READY bolt://127.0.0.1:PORT" on standard
 * output once Bolt accepts connections; shuts down cleanly on SIGTERM.
 */
public final class EmbeddedNeo4j {
    private static final String HOST = "127.0.0.1";
    private static final String USER = "neo4j";
    private static final Duration BOLT_WAIT = Duration.ofSeconds(60);

    private EmbeddedNeo4j() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | LinkageError e) {
            System.err.println("NEO4J FAILED: " + e);
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: EmbeddedNeo4j PORT DATA_DIR (password in SQLGRAPH_NEO4J_PASSWORD)");
        }
        int port = Integer.parseInt(args[0]);
        Path dataDir = Path.of(args[1]).toAbsolutePath();
        String password = System.getenv("SQLGRAPH_NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("SQLGRAPH_NEO4J_PASSWORD is not set");
        }
        Files.createDirectories(dataDir);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(dataDir)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                // Bolt otherwise waits 5 s twice on shutdown for connections a test server never keeps.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Tests try a wrong password on purpose; a lock-out would fail the next real login.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // As a production server is sized: a page cache that holds the store (a 10,000-file
                // workspace is a few hundred MB), so bulk writes do not evict and re-read pages.
                .setConfig(GraphDatabaseSettings.pagecache_memory, megabytes("SQLGRAPH_NEO4J_PAGECACHE_MB", 512))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 64L * 1024 * 1024)
                // No backups are taken of this server: keep little transaction log (the default keeps two days).
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "256M size")
                .setConfig(GraphDatabaseSettings.logs_directory, dataDir.resolve("logs"))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            System.out.println("NEO4J STOPPED");
            System.out.flush();
        }, "sqlgraph-neo4j-shutdown"));

        setInitialPassword(dbms, password);
        waitForBolt(port);

        System.out.println("NEO4J READY bolt://" + HOST + ":" + port);
        System.out.flush();
        // Neo4j's own threads keep serving; the shutdown hook ends the process.
        Thread.currentThread().join();
    }

    private static long megabytes(String variable, long fallback) {
        String value = System.getenv(variable);
        long mb = value == null || value.isBlank() ? fallback : Long.parseLong(value.trim());
        return mb * 1024 * 1024;
    }

    /**
     * A fresh DBMS has user neo4j with password "neo4j" that must be changed
     * before use. Embedded code runs with full rights, so it can change it on
     * the system database, as `neo4j-admin dbms set-initial-password` would.
     */
    private static void setInitialPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        system.executeTransactionally(
                "ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                Map.of("password", password));
    }

    private static void waitForBolt(int port) throws InterruptedException {
        long deadline = System.nanoTime() + BOLT_WAIT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Bolt did not accept connections on " + HOST + ":" + port + " within "
                + BOLT_WAIT.toSeconds() + " s", last);
    }
}
