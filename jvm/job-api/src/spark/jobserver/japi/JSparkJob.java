package spark.jobserver.japi;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;

/** A Java job on a JavaSparkContext whose data is the request's config. */
public interface JSparkJob<R> extends BaseJavaJob<Config, R, JavaSparkContext> {}
