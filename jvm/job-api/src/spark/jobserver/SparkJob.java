package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;

/**
 * The classic spark-jobserver job: {@code validate} may reject a request before it runs (the
 * server answers 400 VALIDATION FAILED with the reason), {@code runJob} returns the result.
 */
public interface SparkJob {
    SparkJobValidation validate(SparkContext sc, Config config);

    Object runJob(SparkContext sc, Config jobConfig);
}
