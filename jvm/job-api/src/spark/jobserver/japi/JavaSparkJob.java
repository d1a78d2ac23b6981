package spark.jobserver.japi;

import org.apache.spark.api.java.JavaSparkContext;

/** A Java job on a JavaSparkContext whose {@code verify} makes data of its own type. */
public interface JavaSparkJob<D, R> extends BaseJavaJob<D, R, JavaSparkContext> {}
