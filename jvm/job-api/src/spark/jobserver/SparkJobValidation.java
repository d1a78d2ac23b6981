package spark.jobserver;

/** What {@link SparkJob#validate} answers: {@link SparkJobValid#INSTANCE} or a {@link SparkJobInvalid}. */
public abstract class SparkJobValidation {
    SparkJobValidation() {}

    /** The first invalid of the two, as SJS's {@code &&} combined checks. */
    public SparkJobValidation and(SparkJobValidation other) {
        return this instanceof SparkJobValid ? other : this;
    }
}
