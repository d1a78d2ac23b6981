package jobserver.host;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.SparkContext;

/**
 * The context JVM's log4j events that belong to a job, held per job until its host collects them
 * (each second while the job runs, and at its end: {@link JobSamples}), so the job's log has
 * Spark's warnings and errors about its work and what a JVM job logs through log4j.
 *
 * <p>An event is the job's when the thread that logs it carries the job's Spark job tag
 * ({@code sjs-job-<id>}, which the job's worker sets): the job's own thread, the threads it
 * starts and the threads of the streaming queries it starts (Spark's local properties are
 * inherited); or, on an executor thread (local mode: executors run in this JVM), when its MDC names
 * the job: the worker sets the local property {@link #JOB_MDC}, and Spark puts a job's
 * {@code mdc.*} properties in the MDC of its tasks' threads while they run, their last words
 * included. Everything else, like the scheduler's own threads, stays in the context's log only,
 * where every event goes as before (there, too, a task's lines carry the job's id in their MDC).
 *
 * <p>Kept: WARN and above, and any level of loggers outside Spark and its libraries (a JVM job's
 * own loggers), as far as the context's log4j configuration lets them through. The hot path is a
 * level and name check, then an MDC and a thread-local look-up; no call leaves the JVM per event.
 */
final class JobLogEvents extends AbstractAppender {
    static final int LIMIT = 256 * 1024; // characters held per job between two collections
    private static final int JOBS = 32; // jobs with events held, should a collection never come
    private static final String JOB_TAGS = "spark.job.tags"; // SparkContext.SPARK_JOB_TAGS, comma-separated
    static final String JOB_MDC = "mdc.sjsJobId"; // a local property Spark puts in the MDC of the job's tasks
    private static final String[] LIBRARIES = {
        "org.apache.", "org.sparkproject.", "io.netty.", "py4j.", "org.eclipse.", "com.google.",
        "com.fasterxml.", "jobserver.host.",
    };

    private final SparkContext sc;
    private final Map<String, Held> held = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Held> eldest) {
            return size() > JOBS;
        }
    });

    /** A job's events since its last collection; a closed one takes no more (the job has ended). */
    private static final class Held {
        private final StringBuilder text = new StringBuilder();
        private long dropped;
        private boolean closed;

        synchronized void offer(String event) {
            if (closed) {
                return;
            }
            if (text.length() + event.length() > LIMIT) {
                dropped += event.length();
            } else {
                text.append(event);
            }
        }

        synchronized String take(boolean close) {
            closed |= close;
            String taken = text.toString();
            if (dropped > 0) {
                taken += "[sjs] " + dropped + " more characters of Spark's log events were not kept (at most "
                        + LIMIT + " are held between two reads of its host)\n";
            }
            text.setLength(0);
            dropped = 0;
            return taken;
        }
    }

    private JobLogEvents(SparkContext sc) {
        super("sjs-job-logs", null, PatternLayout.newBuilder().withPattern("%p %c{1}: %m%n%ex").build(), true,
                Property.EMPTY_ARRAY);
        this.sc = sc;
    }

    /** Listen to every logger of the JVM (from the root logger) for the jobs of {@code sc}. */
    static JobLogEvents install(SparkContext sc) {
        JobLogEvents appender = new JobLogEvents(sc);
        appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
        return appender;
    }

    /** Stop listening (the context's SparkContext has been replaced). */
    void uninstall() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(getName());
        context.updateLoggers();
        stop();
    }

    @Override
    public void append(LogEvent event) {
        if (!event.getLevel().isMoreSpecificThan(Level.WARN) && isLibrary(event.getLoggerName())) {
            return;
        }
        String jobId = event.getContextData().getValue(JOB_MDC);
        if (jobId == null) {
            jobId = jobOfThread();
        }
        if (jobId != null) {
            Held events = held.computeIfAbsent(jobId, id -> new Held());
            events.offer(((PatternLayout) getLayout()).toSerializable(event));
        }
    }

    /** The events held for a job since the last call, as text ("" when none). */
    String take(String jobId) {
        Held events = held.get(jobId);
        return events == null ? "" : events.take(false);
    }

    /** The job has ended: the events held for it, and none are held for it from now on. */
    String close(String jobId) {
        Held events = held.computeIfAbsent(jobId, id -> new Held());
        return events.take(true);
    }

    private static boolean isLibrary(String logger) {
        if (logger == null) {
            return true;
        }
        for (String prefix : LIBRARIES) {
            if (logger.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The job whose tag the logging thread carries in its Spark local properties. */
    private String jobOfThread() {
        String tags = sc.getLocalProperty(JOB_TAGS);
        if (tags == null) {
            return null;
        }
        for (String tag : tags.split(",")) {
            if (tag.startsWith(JobProgress.TAG_PREFIX)) {
                return tag.substring(JobProgress.TAG_PREFIX.length());
            }
        }
        return null;
    }
}
