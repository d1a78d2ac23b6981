package jobserver.host;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * What a host reads of each job it runs, in one py4j call so its sampler costs one round trip a
 * running job a second: the job's progress ({@link JobProgress}) and the log events of the
 * context's JVM that are the job's since the last read ({@link JobLogEvents}).
 */
public final class JobSamples {
    private static JobSamples current;

    private final SparkSession root;
    private final JobProgress progress;
    private final JobLogEvents logEvents;

    private JobSamples(SparkSession root) {
        this.root = root;
        this.progress = JobProgress.listen(root.sparkContext());
        this.logEvents = JobLogEvents.install(root.sparkContext());
    }

    /** The samples of this JVM's context, kept from first use (the host's start); a new SparkContext gets new ones. */
    public static synchronized JobSamples forSession(SparkSession session) {
        if (current == null || current.root.sparkContext() != session.sparkContext()) {
            if (current != null) {
                current.logEvents.uninstall();
            }
            current = new JobSamples(session);
        }
        return current;
    }

    /** {@code {"progress": {...}, "log": "<events since the last read>"}} (see {@link JobProgress#of}). */
    public String of(String jobId) {
        return sample(progress.of(jobId), jobId);
    }

    /** The same for a job that has ended, once Spark's listeners have caught up (see {@link JobProgress#last}). */
    public String last(String jobId, long settleMillis) throws InterruptedException {
        return sample(progress.last(jobId, settleMillis), jobId);
    }

    /** The job has ended and been read for the last time: its last log events; nothing more is kept for it. */
    public String forget(String jobId) {
        progress.forget(jobId);
        return logEvents.close(jobId);
    }

    private String sample(Map<String, Object> jobProgress, String jobId) {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("progress", jobProgress);
        sample.put("log", logEvents.take(jobId));
        return Json.ok("sample", sample);
    }
}
