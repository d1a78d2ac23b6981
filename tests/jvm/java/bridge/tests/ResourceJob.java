package bridge.tests;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/** Reads a file bundled in its jar next to it, on the driver and on the executors. */
public class ResourceJob implements JSparkJob<Map<String, Object>> {
    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Map<String, Object> run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        return Map.of("driver", bundled(0), "executors", sc.parallelize(Arrays.asList(1, 2), 2).map(ResourceJob::bundled).collect());
    }

    private static String bundled(Integer ignored) {
        try (InputStream in = ResourceJob.class.getResourceAsStream("bundled.txt")) {
            return in == null ? "missing" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
