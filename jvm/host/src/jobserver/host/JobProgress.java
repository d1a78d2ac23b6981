package jobserver.host;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.JobExecutionStatus;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.SparkStatusTracker;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * How far a job of the context has got (read with its log events in one call: {@link JobSamples}):
 * the Spark jobs, stages and tasks its Spark work has started (Spark's status tracker, by the
 * job's tag), and the batches of the streaming queries it started.
 *
 * <p>The worker tags a job's Spark work with {@link #tag}; a tag, unlike the job group, is kept by
 * the threads a streaming query starts (they set a group of their own, the query's run id), so
 * their batches are the job's too. Streaming figures come from the context's listener bus, where
 * every session's queries report each batch; they are kept per job until {@link #forget}.
 */
public final class JobProgress extends SparkListener {
    static final String TAG_PREFIX = "sjs-job-";
    private static final String JOB_GROUP = "spark.jobGroup.id"; // SparkContext.SPARK_JOB_GROUP_ID
    private static final String JOB_TAGS = "spark.job.tags"; // SparkContext.SPARK_JOB_TAGS, comma-separated
    private static final int REMEMBERED = 10_000; // runs and jobs, should forget() never come

    private final SparkContext sc;
    private final Map<String, String> jobOfRun = Collections.synchronizedMap(bounded());
    private final Map<String, Streaming> streaming = Collections.synchronizedMap(bounded());

    /** A job's streaming queries so far: batches, input rows, the last batch's rows per second. */
    private static final class Streaming {
        final Map<String, Long> lastBatchOfRun = new HashMap<>();
        long batches;
        long inputRows;
        double rowsPerSecond;
    }

    private JobProgress(SparkContext sc) {
        this.sc = sc;
    }

    /** The progress of {@code sc}'s jobs, listening from now on. */
    static JobProgress listen(SparkContext sc) {
        JobProgress progress = new JobProgress(sc);
        sc.addSparkListener(progress);
        return progress;
    }

    /** The Spark job tag of a job's work. */
    public static String tag(String jobId) {
        return TAG_PREFIX + jobId;
    }

    /**
     * {@code {"jobs": {"done", "total"}, "stages": {...}, "tasks": {...}, "percent": p}} and, once its
     * queries reported a batch, {@code "streaming": {"batches", "inputRows", "rowsPerSecond"}}. A
     * stage a finished Spark job skipped (its shuffle output was there already) counts as done.
     */
    Map<String, Object> of(String jobId) {
        return snapshot(jobId);
    }

    /**
     * The progress of a job that has ended, once Spark's status store shows what the job saw
     * happen: the store is kept by a listener, which runs a little behind the scheduler, so a
     * Spark job the job waited for may still show as running for a moment. Looks again every
     * millisecond until it does, for {@code settleMillis} at most (a Spark job the job left
     * running keeps it that long); a streaming job's last batches are waited for on the listener bus.
     */
    Map<String, Object> last(String jobId, long settleMillis) throws InterruptedException {
        long deadline = System.nanoTime() + settleMillis * 1_000_000;
        Map<String, Object> progress = snapshot(jobId);
        while (!allJobsDone(progress) && System.nanoTime() < deadline) {
            Thread.sleep(1);
            progress = snapshot(jobId);
        }
        if (progress.containsKey("streaming")) {
            try {
                sc.listenerBus().waitUntilEmpty(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (java.util.concurrent.TimeoutException busy) {
                // as far as the listeners have got
            }
            progress = snapshot(jobId);
        }
        return progress;
    }

    private static boolean allJobsDone(Map<String, Object> progress) {
        @SuppressWarnings("unchecked")
        Map<String, Long> jobs = (Map<String, Long>) progress.get("jobs");
        return jobs.get("done").equals(jobs.get("total"));
    }

    private Map<String, Object> snapshot(String jobId) {
        SparkStatusTracker tracker = sc.statusTracker();
        int jobsDone = 0;
        int jobsTotal = 0;
        Set<Integer> stagesSeen = new HashSet<>();
        int stagesDone = 0;
        long tasksDone = 0;
        long tasksTotal = 0;
        for (int sparkJob : tracker.getJobIdsForTag(tag(jobId))) {
            scala.Option<SparkJobInfo> found = tracker.getJobInfo(sparkJob);
            if (found.isEmpty()) {
                continue; // dropped from Spark's status store meanwhile (spark.ui.retainedJobs)
            }
            SparkJobInfo job = found.get();
            jobsTotal++;
            boolean succeeded = job.status() == JobExecutionStatus.SUCCEEDED;
            if (succeeded || job.status() == JobExecutionStatus.FAILED) {
                jobsDone++;
            }
            for (int stageId : job.stageIds()) {
                if (!stagesSeen.add(stageId)) {
                    continue;
                }
                scala.Option<SparkStageInfo> stageFound = tracker.getStageInfo(stageId);
                int tasks = stageFound.isDefined() ? stageFound.get().numTasks() : 0;
                int completed = stageFound.isDefined() ? stageFound.get().numCompletedTasks() : 0;
                boolean done = succeeded || (tasks > 0 && completed >= tasks);
                stagesDone += done ? 1 : 0;
                tasksTotal += tasks;
                tasksDone += done ? tasks : Math.min(completed, tasks);
            }
        }
        double percent = tasksTotal > 0
                ? Math.floor(1000.0 * tasksDone / tasksTotal) / 10.0
                : (jobsTotal > 0 && jobsDone == jobsTotal ? 100.0 : 0.0);
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("percent", percent);
        progress.put("jobs", counts(jobsDone, jobsTotal));
        progress.put("stages", counts(stagesDone, stagesSeen.size()));
        progress.put("tasks", counts(tasksDone, tasksTotal));
        Streaming queries = streaming.get(jobId);
        if (queries != null) {
            synchronized (queries) {
                progress.put("streaming", Map.of(
                        "batches", queries.batches,
                        "inputRows", queries.inputRows,
                        "rowsPerSecond", Math.round(queries.rowsPerSecond * 10.0) / 10.0));
            }
        }
        return progress;
    }

    /** The job has ended and its progress been read for the last time. */
    void forget(String jobId) {
        streaming.remove(jobId);
        synchronized (jobOfRun) {
            jobOfRun.values().removeIf(jobId::equals);
        }
    }

    /** Learns which job a streaming query's run belongs to from its batches' first Spark job. */
    @Override
    public void onJobStart(SparkListenerJobStart start) {
        Properties properties = start.properties();
        String group = properties == null ? null : properties.getProperty(JOB_GROUP);
        String tags = properties == null ? null : properties.getProperty(JOB_TAGS);
        if (group == null || tags == null) {
            return;
        }
        for (String tag : tags.split(",")) {
            if (tag.startsWith(TAG_PREFIX) && !group.equals(tag.substring(TAG_PREFIX.length()))) {
                jobOfRun.put(group, tag.substring(TAG_PREFIX.length()));
            }
        }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (!(event instanceof StreamingQueryListener.QueryProgressEvent reported)) {
            return;
        }
        StreamingQueryProgress batch = reported.progress();
        String run = batch.runId().toString();
        String jobId = jobOfRun.get(run);
        if (jobId == null) {
            return; // a query no job of ours started, or one whose batch ran no Spark job yet
        }
        Streaming queries = streaming.computeIfAbsent(jobId, id -> new Streaming());
        synchronized (queries) {
            Long last = queries.lastBatchOfRun.get(run);
            if (last != null && batch.batchId() <= last) {
                return; // an idle report repeats the last batch
            }
            queries.lastBatchOfRun.put(run, batch.batchId());
            queries.batches++;
            queries.inputRows += batch.numInputRows();
            double rate = batch.processedRowsPerSecond();
            queries.rowsPerSecond = Double.isFinite(rate) ? rate : 0.0;
        }
    }

    private static Map<String, Long> counts(long done, long total) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("done", done);
        counts.put("total", total);
        return counts;
    }

    private static <V> Map<String, V> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
