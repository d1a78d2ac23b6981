package spark.jobserver.japi;

import java.util.List;

/** Several reasons a request is rejected; the message joins them with "; ". */
public class MultiJavaValidationException extends JavaValidationException {
    private final List<String> issues;

    public MultiJavaValidationException(List<String> issues) {
        super(String.join("; ", issues));
        this.issues = List.copyOf(issues);
    }

    public List<String> issues() {
        return issues;
    }
}
