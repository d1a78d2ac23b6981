package example.jobs;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;
import spark.jobserver.japi.SingleJavaValidationException;

/** Runs the SQL query in {@code sql} on the context's session and returns its rows. */
public class SqlJob extends JSessionJob<List<Row>> {
    @Override
    public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
        if (!config.hasPath("sql")) {
            throw new SingleJavaValidationException("config sql not found");
        }
        return config;
    }

    @Override
    public List<Row> run(SparkSession spark, JobEnvironment runtime, Config data) {
        return spark.sql(data.getString("sql")).collectAsList();
    }
}
