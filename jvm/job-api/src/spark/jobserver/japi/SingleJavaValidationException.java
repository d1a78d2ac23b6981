package spark.jobserver.japi;

/** One reason a request is rejected. */
public class SingleJavaValidationException extends JavaValidationException {
    private final String issue;

    public SingleJavaValidationException(String issue) {
        super(issue);
        this.issue = issue;
    }

    public String issue() {
        return issue;
    }
}
