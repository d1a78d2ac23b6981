package example.jobs;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;

/**
 * Keeps {@code spark.range(rows)} as the named DataFrame {@code name} (default "numbers", 1000
 * rows), which later jobs of the context, JVM or Python, find there: what a context's warm-up
 * job does. Returns the names kept.
 */
public class NamedRangeJob extends JSessionJob<List<String>> {
    @Override
    public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public List<String> run(SparkSession spark, JobEnvironment runtime, Config data) {
        String name = data.hasPath("name") ? data.getString("name") : "numbers";
        long rows = data.hasPath("rows") ? data.getLong("rows") : 1000L;
        runtime.namedObjects().update(name, () -> spark.range(rows).toDF());
        return runtime.namedObjects().getNames();
    }
}
