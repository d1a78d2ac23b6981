package example.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A spark-submit style application: {@code main(args)} gets its session as any would. Args:
 * {@code <rows> <output file>} counts {@code rows} rows and writes "count applicationId" to the
 * file; {@code exit <status>} calls System.exit(status); {@code stop} stops its session, as many
 * applications do at their end (on a job server that stops the context: the job fails saying so).
 */
public final class SubmitStyleMain {
    private SubmitStyleMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals("exit")) {
            System.exit(Integer.parseInt(args[1]));
        }
        SparkSession spark = SparkSession.builder().appName("submit-style").getOrCreate();
        if (args.length == 1 && args[0].equals("stop")) {
            spark.stop();
            return;
        }
        long count = spark.range(Long.parseLong(args[0])).count();
        Files.writeString(Path.of(args[1]), count + " " + spark.sparkContext().applicationId());
    }
}
