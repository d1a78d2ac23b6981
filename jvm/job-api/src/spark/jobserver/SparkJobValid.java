package spark.jobserver;

/** The request is valid; there is one instance, as SJS's {@code case object SparkJobValid}. */
public final class SparkJobValid extends SparkJobValidation {
    public static final SparkJobValid INSTANCE = new SparkJobValid();

    private SparkJobValid() {}

    @Override
    public String toString() {
        return "SparkJobValid";
    }
}
