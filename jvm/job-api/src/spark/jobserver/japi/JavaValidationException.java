package spark.jobserver.japi;

/** Thrown by {@code verify} to reject a request; its message is what the caller gets. */
public class JavaValidationException extends RuntimeException {
    public JavaValidationException(String message) {
        super(message);
    }
}
