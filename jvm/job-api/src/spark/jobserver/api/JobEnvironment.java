package spark.jobserver.api;

import com.typesafe.config.Config;

/** Run-time facts handed to a job: its id, the context's named objects and its configuration. */
public interface JobEnvironment {
    String jobId();

    NamedObjects namedObjects();

    Config contextConfig();
}
