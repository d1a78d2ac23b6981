package spark.jobserver.japi;

import com.typesafe.config.Config;

/** A Java job on a SparkSession whose data is the request's config. */
public abstract class JSessionJob<R> extends JavaSessionJob<Config, R> {}
