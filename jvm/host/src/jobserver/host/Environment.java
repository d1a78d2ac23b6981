package jobserver.host;

import com.typesafe.config.Config;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.NamedObjects;

/** What a JVM job is told about itself and its context. */
record Environment(String jobId, NamedObjects namedObjects, Config contextConfig) implements JobEnvironment {}
