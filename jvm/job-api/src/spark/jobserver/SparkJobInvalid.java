package spark.jobserver;

/** The request is rejected; {@code reason} is the message the caller gets. */
public final class SparkJobInvalid extends SparkJobValidation {
    private final String reason;

    public SparkJobInvalid(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "SparkJobInvalid(" + reason + ")";
    }
}
