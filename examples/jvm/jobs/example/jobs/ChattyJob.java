package example.jobs;

import com.typesafe.config.Config;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Prints {@code lines} lines marked with {@code marker} to System.out and System.err, logs as many
 * through log4j at WARN (the level a context's JVM lets through), then counts them.
 */
public class ChattyJob implements JSparkJob<Integer> {
    private static final Logger LOG = LogManager.getLogger("chatty");

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Integer run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        String marker = data.hasPath("marker") ? data.getString("marker") : runtime.jobId();
        int lines = data.hasPath("lines") ? data.getInt("lines") : 3;
        for (int i = 0; i < lines; i++) {
            System.out.println(marker + " out " + i);
            System.err.println(marker + " err " + i);
            LOG.warn("{} log {}", marker, i);
        }
        Thread helper = new Thread(() -> System.out.println(marker + " from a thread it started"));
        helper.start();
        try {
            helper.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lines;
    }
}
