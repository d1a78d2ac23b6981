package bridge.tests;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;
import spark.jobserver.SparkJob;
import spark.jobserver.SparkJobValid;
import spark.jobserver.SparkJobValidation;

/** What scalac makes of {@code object ScalaStyleJob extends SparkJob}: a class Name$ with one MODULE$. */
public final class ScalaStyleJob$ implements SparkJob {
    public static final ScalaStyleJob$ MODULE$ = new ScalaStyleJob$();

    private ScalaStyleJob$() {}

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        return "the one " + (this == MODULE$ ? "object" : "copy");
    }
}
