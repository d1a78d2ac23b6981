package bridge.tests;

import com.typesafe.config.Config;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;

/** Returns one value of every shape the bridge turns into JSON, keyed by what it is. */
public class ResultShapesJob extends JSessionJob<Map<String, Object>> {
    record Point(int x, int y) {}

    static final class Opaque {
        @Override
        public String toString() {
            return "opaque!";
        }

        public int getHidden() {
            return 42;
        }
    }

    @Override
    public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
        return config;
    }

    @Override
    public Map<String, Object> run(SparkSession spark, JobEnvironment runtime, Config data) {
        Map<String, Object> shapes = new LinkedHashMap<>();
        shapes.put("jobId", runtime.jobId());
        shapes.put("contextName", runtime.contextConfig().getString("context-name"));
        shapes.put("null", null);
        shapes.put("string", "text");
        shapes.put("long", 1L << 40);
        shapes.put("double", 2.5);
        shapes.put("nan", Double.NaN);
        shapes.put("decimal", new BigDecimal("12.50"));
        shapes.put("boolean", true);
        shapes.put("ints", new int[] {1, 2, 3});
        shapes.put("bytes", new byte[] {1, 2, 3});
        shapes.put("nested", Map.of("list", List.of(1, Map.of("deep", "yes"))));
        shapes.put("intKeys", Map.of(7, "seven"));
        shapes.put("date", LocalDate.of(2024, 2, 29));
        shapes.put("instant", Instant.parse("2024-02-29T12:00:00Z"));
        shapes.put("timestamp", Timestamp.from(Instant.parse("2024-02-29T12:00:00Z")));
        shapes.put("scalaList", CollectionConverters.asScala(Arrays.asList("a", "b")).toList());
        shapes.put("scalaMap", CollectionConverters.asScala(Map.of("k", 1)));
        shapes.put("tuple", new Tuple2<>("left", 2));
        shapes.put("record", new Point(1, 2));
        shapes.put("other", new Opaque());
        shapes.put("rows", spark.sql("select 1 as id, 'x' as name, array(1, 2) as xs, named_struct('a', 1) as s")
                .collectAsList());
        shapes.put("dataset", spark.range(3));
        JavaRDD<Integer> numbers = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(1, 2));
        shapes.put("javaRdd", numbers);
        shapes.put("rdd", numbers.rdd());
        return shapes;
    }
}
