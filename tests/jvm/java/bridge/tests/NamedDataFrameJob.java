package bridge.tests;

import static org.apache.spark.sql.functions.col;

import com.typesafe.config.Config;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;

/** Reads the DataFrame named {@code input}, stores it doubled under {@code output}, returns its count. */
public class NamedDataFrameJob extends JSessionJob<Long> {
    @Override
    public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Long run(SparkSession spark, JobEnvironment runtime, Config data) {
        Dataset<Row> input = runtime.namedObjects().<Dataset<Row>>get(data.getString("input")).orElseThrow();
        Dataset<Row> doubled = runtime.namedObjects()
                .update(data.getString("output"), () -> input.withColumn("doubled", col("value").multiply(2)));
        return doubled.count();
    }
}
