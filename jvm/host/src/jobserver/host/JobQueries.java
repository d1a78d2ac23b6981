package jobserver.host;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.streaming.runtime.StreamExecution;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/**
 * The structured streaming queries each job started, so a job that ends without finishing
 * (killed, failed) can have them stopped: a query left running would go on using the warm
 * context's cores with nobody to stop it.
 *
 * <p>A query's start event carries the Spark job tags of the thread that started it; the job's
 * worker tags the job's thread with {@code sjs-job-<id>}. Queries of every session of the
 * context count (a JVM job's queries run on its binary's session): Spark keeps the active ones of
 * all sessions in their shared state.
 */
public final class JobQueries extends SparkListener {
    private static final int REMEMBERED = 10_000; // runs, should their end never be heard of
    private static final long CATCH_UP_MILLIS = 1000; // for start events still on the listener bus
    private static JobQueries current;

    private final SparkSession root;
    private final Map<UUID, String> jobOfRun = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, String> eldest) {
            return size() > REMEMBERED;
        }
    });

    private JobQueries(SparkSession root) {
        this.root = root;
    }

    /** The queries of this JVM's context, listened for from first use; a new SparkContext gets new ones. */
    public static synchronized JobQueries forSession(SparkSession session) {
        if (current == null || current.root.sparkContext() != session.sparkContext()) {
            current = new JobQueries(session);
            session.sparkContext().addSparkListener(current);
        }
        return current;
    }

    /**
     * Stop the job's active queries, once the listener bus has caught up with their start
     * (bounded); how many there were. Each stop waits for its query's thread to end.
     */
    public int stop(String jobId) throws TimeoutException {
        SparkContext sc = root.sparkContext();
        try {
            sc.listenerBus().waitUntilEmpty(CATCH_UP_MILLIS);
        } catch (TimeoutException busy) {
            // what the listener has heard of so far
        }
        Set<StreamExecution> theirs = new HashSet<>();
        for (StreamExecution query : root.sharedState().activeStreamingQueries().values()) {
            if (jobId.equals(jobOfRun.get(query.runId()))) {
                theirs.add(query);
            }
        }
        for (StreamExecution query : theirs) {
            query.stop();
        }
        return theirs.size();
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof StreamingQueryListener.QueryStartedEvent started) {
            scala.collection.Iterator<String> tags = started.jobTags().iterator();
            while (tags.hasNext()) {
                String tag = tags.next();
                if (tag.startsWith(JobProgress.TAG_PREFIX)) {
                    jobOfRun.put(started.runId(), tag.substring(JobProgress.TAG_PREFIX.length()));
                }
            }
        } else if (event instanceof StreamingQueryListener.QueryTerminatedEvent ended) {
            jobOfRun.remove(ended.runId());
        }
    }
}
