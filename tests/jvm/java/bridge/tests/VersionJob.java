package bridge.tests;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Tells its VERSION from the driver and from the executors, through a closure over the job itself:
 * the executors need the job's own class and the job API's types to run it.
 */
public class VersionJob implements JSparkJob<Map<String, Object>>, Serializable {
    static final String VERSION = "1";

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Map<String, Object> run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        List<String> tagged = sc.parallelize(Arrays.asList(1, 2, 3, 4), 2).map(this::tag).collect();
        return Map.of("driver", VERSION, "executors", tagged);
    }

    private String tag(Integer value) {
        return VERSION + ":" + value;
    }
}
