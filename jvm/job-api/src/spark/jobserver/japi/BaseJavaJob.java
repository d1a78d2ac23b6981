package spark.jobserver.japi;

import com.typesafe.config.Config;
import spark.jobserver.api.JobEnvironment;

/**
 * A Java job on context {@code C}: {@code verify} turns the request's config into the job's data
 * or throws to reject the request (400 VALIDATION FAILED with the exception's message), then
 * {@code run} returns the result.
 */
public interface BaseJavaJob<D, R, C> {
    R run(C sc, JobEnvironment runtime, D data);

    D verify(C sc, JobEnvironment runtime, Config config);
}
