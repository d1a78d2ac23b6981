package jobserver.host;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * What a job changes on the calling thread (Spark's job group properties, the active session, the
 * context class loader), saved to be put back: the thread is a py4j thread that goes on serving
 * its Python caller after the job.
 */
final class ThreadState {
    private static final String[] JOB_GROUP = {"spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel"};

    private final SparkContext sc;
    private final String[] jobGroup = new String[JOB_GROUP.length];
    private final Option<SparkSession> active = SparkSession.getActiveSession();
    private final ClassLoader loader = Thread.currentThread().getContextClassLoader();

    ThreadState(SparkContext sc) {
        this.sc = sc;
        for (int i = 0; i < JOB_GROUP.length; i++) {
            jobGroup[i] = sc.getLocalProperty(JOB_GROUP[i]);
        }
    }

    /** Put everything back, and clear an interrupt a kill may have left. */
    void restore() {
        for (int i = 0; i < JOB_GROUP.length; i++) {
            sc.setLocalProperty(JOB_GROUP[i], jobGroup[i]);
        }
        if (active.isDefined()) {
            SparkSession.setActiveSession(active.get());
        } else {
            SparkSession.clearActiveSession();
        }
        Thread.currentThread().setContextClassLoader(loader);
        Thread.interrupted();
    }
}
