package spark.jobserver;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * spark-jobserver's WordCountExample in Java: counts the words of {@code input.string}, split on
 * spaces. Rejects a request without {@code input.string}.
 *
 * <pre>curl -d 'input.string = "a b c a b see"' 'localhost:8090/jobs?appName=test&amp;classPath=spark.jobserver.WordCountExample&amp;sync=true'</pre>
 */
public class WordCountExample implements SparkJob {
    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return config.hasPath("input.string")
                ? SparkJobValid.INSTANCE
                : new SparkJobInvalid("No input.string config param");
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        String[] words = jobConfig.getString("input.string").split(" ");
        Map<String, Long> counts = JavaSparkContext.fromSparkContext(sc).parallelize(Arrays.asList(words)).countByValue();
        return counts;
    }
}
