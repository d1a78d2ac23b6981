package jobserver.host;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/** What Spark's classic session offers the bridge beyond its public API type. */
final class Sessions {
    private Sessions() {}

    static ClassLoader classLoader(SparkSession session) {
        return classic(session).artifactManager().classloader();
    }

    /**
     * Run {@code body} with the session's artifacts in force on this thread: its class loader as
     * the context class loader, and its artifact state on every Spark job started meanwhile (so
     * executors run those tasks in the session's class loader), as Spark does for Dataset actions.
     */
    static <T> T withArtifacts(SparkSession session, Supplier<T> body) {
        return classic(session).artifactManager().withResources(body::get);
    }

    private static org.apache.spark.sql.classic.SparkSession classic(SparkSession session) {
        return (org.apache.spark.sql.classic.SparkSession) session;
    }
}
