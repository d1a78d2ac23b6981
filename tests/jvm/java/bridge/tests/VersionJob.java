package bridge.tests;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/** Tells its VERSION from the driver and from closures of its own classes run on the executors. */
public class VersionJob implements JSparkJob<Map<String, Object>> {
    static final String VERSION = "1";

    /** A class of the job's own, deserialised by the executors. */
    static final class Tag implements Function<Integer, String> {
        @Override
        public String call(Integer value) {
            return VERSION + ":" + value;
        }
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Map<String, Object> run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        List<String> tagged = sc.parallelize(Arrays.asList(1, 2, 3, 4), 2).map(new Tag()).collect();
        return Map.of("driver", VERSION, "executors", tagged);
    }
}
