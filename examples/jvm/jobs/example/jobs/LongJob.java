package example.jobs;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Spins on the driver for {@code seconds} in plain Java, deaf to interrupts and to Spark's
 * cancellation: the hardest job to kill.
 */
public class LongJob implements JSparkJob<Long> {
    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Long run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        long seconds = data.hasPath("seconds") ? data.getLong("seconds") : 60;
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        long spins = 0;
        while (System.nanoTime() < until) {
            spins++;
        }
        return spins;
    }
}
