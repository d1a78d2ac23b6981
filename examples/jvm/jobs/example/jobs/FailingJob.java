package example.jobs;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;
import spark.jobserver.japi.SingleJavaValidationException;

/** Fails: its verify rejects a request without {@code message}, its run throws with that message. */
public class FailingJob implements JSparkJob<Object> {
    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        if (!config.hasPath("message")) {
            throw new SingleJavaValidationException("config message not found");
        }
        return config;
    }

    @Override
    public Object run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        throw new IllegalStateException(data.getString("message"));
    }
}
