package jobserver.host;

import com.typesafe.config.Config;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.SparkJob;
import spark.jobserver.SparkJobInvalid;
import spark.jobserver.SparkJobValidation;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JavaSessionJob;
import spark.jobserver.japi.JavaSparkJob;
import spark.jobserver.japi.JSparkJob;
import spark.jobserver.japi.BaseJavaJob;

/**
 * The shapes of JVM job the server runs, each given the flavour of context it asks for from the
 * one session: {@code verify} turns the request's config into the job's data (or throws to reject
 * the request), {@code run} returns the result.
 */
enum JobKind {
    /** {@code JSessionJob} / {@code JavaSessionJob}: a SparkSession. */
    SESSION_JOB("JSessionJob") {
        @Override
        Object verify(Object job, SparkSession session, JobEnvironment env, Config config) {
            return sessionJob(job).verify(session, env, config);
        }

        @Override
        Object run(Object job, SparkSession session, JobEnvironment env, Object data) {
            return sessionJob(job).run(session, env, data);
        }
    },
    /** {@code JSparkJob} / {@code JavaSparkJob}: a JavaSparkContext. */
    JAVA_JOB("JSparkJob") {
        @Override
        Object verify(Object job, SparkSession session, JobEnvironment env, Config config) {
            return javaJob(job).verify(JavaSparkContext.fromSparkContext(session.sparkContext()), env, config);
        }

        @Override
        Object run(Object job, SparkSession session, JobEnvironment env, Object data) {
            return javaJob(job).run(JavaSparkContext.fromSparkContext(session.sparkContext()), env, data);
        }
    },
    /** The classic {@code spark.jobserver.SparkJob}: a SparkContext; validate answers valid or invalid. */
    SPARK_JOB("SparkJob") {
        @Override
        Object verify(Object job, SparkSession session, JobEnvironment env, Config config) {
            SparkJobValidation validation = ((SparkJob) job).validate(session.sparkContext(), config);
            if (validation instanceof SparkJobInvalid invalid) {
                throw new JobInvalid(invalid);
            }
            return config;
        }

        @Override
        Object run(Object job, SparkSession session, JobEnvironment env, Object data) {
            return ((SparkJob) job).runJob(session.sparkContext(), (Config) data);
        }
    },
    /** A spark-submit style class: {@code main(args)} with the config's {@code args} list; no result. */
    MAIN("main") {
        @Override
        Object verify(Object job, SparkSession session, JobEnvironment env, Config config) {
            return config.hasPath("args") ? config.getStringList("args").toArray(new String[0]) : new String[0];
        }

        @Override
        Object run(Object job, SparkSession session, JobEnvironment env, Object data) throws Exception {
            try {
                ((Method) job).invoke(null, data);
            } catch (InvocationTargetException e) {
                boolean exitedOk = e.getCause() instanceof ExitGuard.ExitRefused exit && exit.status() == 0;
                if (!exitedOk) { // System.exit(0) ends a spark-submit main that has done its work
                    throw rethrowable(e.getCause());
                }
            }
            return null;
        }
    };

    private final String label;

    JobKind(String label) {
        this.label = label;
    }

    /** What the job reports as its kind. */
    String label() {
        return label;
    }

    abstract Object verify(Object job, SparkSession session, JobEnvironment env, Config config) throws Exception;

    abstract Object run(Object job, SparkSession session, JobEnvironment env, Object data) throws Exception;

    /** The kind of {@code type}; null when it is no job at all. */
    static JobKind of(Class<?> type) {
        if (JavaSessionJob.class.isAssignableFrom(type)) {
            return SESSION_JOB;
        }
        if (JSparkJob.class.isAssignableFrom(type) || JavaSparkJob.class.isAssignableFrom(type)) {
            return JAVA_JOB;
        }
        if (SparkJob.class.isAssignableFrom(type)) {
            return SPARK_JOB;
        }
        return mainMethod(type) != null ? MAIN : null;
    }

    /** {@code public static void main(String[])} of {@code type}, or null. */
    static Method mainMethod(Class<?> type) {
        try {
            Method main = type.getMethod("main", String[].class);
            boolean entryPoint = Modifier.isStatic(main.getModifiers()) && main.getReturnType() == void.class;
            return entryPoint ? main : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static String expected(String className) {
        return className + " is not a job: it should implement " + SparkJob.class.getName() + ", "
                + JSparkJob.class.getName() + " or " + JavaSparkJob.class.getName() + ", extend "
                + JavaSessionJob.class.getName() + " (JSessionJob), or have a public static void main(String[])";
    }

    @SuppressWarnings("unchecked")
    private static BaseJavaJob<Object, Object, SparkSession> sessionJob(Object job) {
        return (BaseJavaJob<Object, Object, SparkSession>) job;
    }

    @SuppressWarnings("unchecked")
    private static BaseJavaJob<Object, Object, JavaSparkContext> javaJob(Object job) {
        return (BaseJavaJob<Object, Object, JavaSparkContext>) job;
    }

    private static Exception rethrowable(Throwable thrown) {
        if (thrown instanceof Error error) {
            throw error;
        }
        return (Exception) thrown;
    }
}
