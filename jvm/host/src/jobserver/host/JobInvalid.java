package jobserver.host;

import spark.jobserver.SparkJobInvalid;

/** A classic job's {@link SparkJobInvalid}: reported with its reason and the API's class, no stack. */
final class JobInvalid extends RuntimeException {
    JobInvalid(SparkJobInvalid invalid) {
        super(invalid.reason(), null, false, false);
    }

    static String errorClass() {
        return SparkJobInvalid.class.getName();
    }
}
