package spark.jobserver.japi;

import org.apache.spark.sql.SparkSession;

/** A Java job on a SparkSession whose {@code verify} makes data of its own type. */
public abstract class JavaSessionJob<D, R> implements BaseJavaJob<D, R, SparkSession> {}
