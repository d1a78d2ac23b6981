package jobserver.host;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The JVM half of JVM jobs, called over py4j by any Python process holding the context's
 * SparkSession: prepare (load the class), validate, run (on the calling thread, under the job's
 * own Spark job group), kill. One bridge per SparkContext, so one per JVM in a context host.
 *
 * <p>Every job call answers JSON text, {@code {"kind"|"valid"|"result": ...}} or
 * {@code {"error": {"message", "errorClass", "stack"}}}, so the Python side never has to catch a
 * Java exception thrown by job code.
 */
public final class JobBridge {
    private static final ConfigParseOptions JSON = ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON);
    private static JobBridge current;

    private final SparkSession root;
    private final BinarySessions binaries;
    private final NamedObjectRegistry namedObjects = new NamedObjectRegistry();
    private final RunningJobs running = new RunningJobs();
    private final ConcurrentHashMap<String, Prepared> prepared = new ConcurrentHashMap<>();
    private final ThreadLocal<ThreadState> beforeJars = new ThreadLocal<>();
    private final boolean exitContained;

    /** A job loaded and waiting for its validation and run. */
    private static final class Prepared {
        final String jobId;
        final BinarySessions.Binary binary;
        final JobClass jobClass;
        final Object job;
        volatile Environment environment; // set by validate, read by run, maybe on another thread
        volatile Object data;

        Prepared(String jobId, BinarySessions.Binary binary, JobClass jobClass, Object job) {
            this.jobId = jobId;
            this.binary = binary;
            this.jobClass = jobClass;
            this.job = job;
        }
    }

    private JobBridge(SparkSession root) {
        this.root = root;
        this.binaries = new BinarySessions(root);
        this.exitContained = ExitGuard.install();
        JobOutput.install();
    }

    /**
     * The bridge of this JVM's context, made on first use from the session given then; any session
     * of the same SparkContext gets the same bridge, a new SparkContext (a restart) a new one.
     */
    public static synchronized JobBridge forSession(SparkSession session) {
        if (current == null || current.root.sparkContext() != session.sparkContext()) {
            current = new JobBridge(session);
        }
        return current;
    }

    /** Whether System.exit in a job is refused on this JVM (see {@link ExitGuard}). */
    public boolean exitContained() {
        return exitContained;
    }

    public NamedObjectRegistry namedObjects() {
        return namedObjects;
    }

    /**
     * Load {@code className} from the jars (a JSON list of local paths: the job's binary, then its
     * dependencies) in the class loader of that binary version: {@code {"kind": "JSparkJob" |
     * "JSessionJob" | "SparkJob" | "main"}}, or the load error.
     */
    public String prepare(String jobId, String jarsJson, String className) {
        try {
            BinarySessions.Binary binary = binaries.forJars(jars(jarsJson));
            JobClass jobClass;
            try {
                jobClass = binary.jobClass(className);
            } catch (ClassNotFoundException e) {
                throw new ClassNotFoundException("classPath " + className + " not found in the binary", e);
            }
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(binary.loader()); // static initialisers and constructors see the job's jars
            ExitGuard.enter(jobId); // and cannot exit the JVM either
            try {
                prepared.put(jobId, new Prepared(jobId, binary, jobClass, jobClass.newJob()));
            } finally {
                ExitGuard.leave();
                thread.setContextClassLoader(previous);
            }
            return Json.ok("kind", jobClass.kind().label());
        } catch (Throwable e) {
            return Json.error(e);
        }
    }

    /**
     * Validate the prepared job against its config (JSON, exactly what a Python job of the same
     * submit sees) and the context's config (JSON): {@code {"valid": true}}, or the reason it was
     * rejected ({@code SparkJobInvalid}'s, or what {@code verify} threw).
     */
    public String validate(String jobId, String configJson, String contextConfigJson) {
        Prepared job = prepared.get(jobId);
        if (job == null) {
            return notPrepared(jobId);
        }
        return inJobScope(job, () -> {
            Config config = ConfigFactory.parseString(configJson, JSON);
            job.environment = new Environment(jobId, namedObjects, ConfigFactory.parseString(contextConfigJson, JSON));
            job.data = job.jobClass.kind().verify(job.job, job.binary.session(), job.environment, config);
            return Json.ok("valid", true);
        });
    }

    /** Run the validated job on the calling thread: {@code {"result": ...}} or its error. */
    @SuppressWarnings("removal")
    public String run(String jobId) {
        Prepared job = prepared.remove(jobId);
        if (job == null || job.environment == null) {
            return notPrepared(jobId);
        }
        try {
            return inJobScope(job, () -> {
                Object value = job.jobClass.kind().run(job.job, job.binary.session(), job.environment, job.data);
                if (root.sparkContext().isStopped()) {
                    return Json.error("job " + jobId + " stopped its context's SparkContext (spark.stop() or"
                            + " sc.stop()): the context can run no more jobs", IllegalStateException.class.getName());
                }
                return Json.result(value);
            });
        } catch (ThreadDeath late) { // a kill's stop that arrived as the job ended
            return Json.error(late);
        }
    }

    /**
     * Cancel the job's Spark job group, interrupt its thread and, if it is still running after
     * {@code graceMillis}, stop the thread. True when the job is not running any more.
     */
    public boolean kill(String jobId, long graceMillis) {
        prepared.remove(jobId);
        root.sparkContext().cancelJobGroup(jobId);
        try {
            return running.kill(jobId, graceMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !running.isRunning(jobId);
        }
    }

    /** What the job printed to System.out and System.err while it validated and ran; once. */
    public String takeOutput(String jobId) {
        return JobOutput.take(jobId);
    }

    /** Whether the job's validation or run is on a thread now. */
    public boolean isRunning(String jobId) {
        return running.isRunning(jobId);
    }

    /** Forget a prepared job that will not run (rejected, or claimed elsewhere). */
    public void discard(String jobId) {
        prepared.remove(jobId);
    }

    /**
     * Put the jars (a JSON list of local paths) on the calling thread's class path until
     * {@link #clearJars}: their session's class loader becomes the thread's context class loader
     * and their session the active one, which is returned for the caller's queries (its tasks run
     * with the jars on the executors). With pyspark's pinned threads, a Python thread keeps one
     * JVM thread, so later calls from that Python thread see the jars.
     */
    public SparkSession useJars(String jarsJson) throws Exception {
        BinarySessions.Binary binary = binaries.forJars(jars(jarsJson));
        if (beforeJars.get() == null) {
            beforeJars.set(new ThreadState(root.sparkContext()));
        }
        Thread.currentThread().setContextClassLoader(binary.loader());
        SparkSession.setActiveSession(binary.session());
        return binary.session();
    }

    /** Undo {@link #useJars} on the calling thread. */
    public void clearJars() {
        ThreadState before = beforeJars.get();
        if (before != null) {
            beforeJars.remove();
            before.restore();
        }
    }

    /**
     * Run {@code body} as the job: registered for kill, under its Spark job group, with its session
     * active and its artifacts in force, System.exit refused; the thread is restored afterwards.
     */
    private String inJobScope(Prepared job, Callable<String> body) {
        SparkSession session = job.binary.session();
        SparkContext sc = session.sparkContext();
        ThreadState saved = new ThreadState(sc);
        RunningJobs.Running registration;
        try {
            registration = running.start(job.jobId);
        } catch (IllegalStateException e) {
            return Json.error(e);
        }
        JobOutput.Capture output = JobOutput.enter();
        try {
            sc.setJobGroup(job.jobId, job.jobClass.type().getName(), true);
            SparkSession.setActiveSession(session);
            ExitGuard.enter(job.jobId);
            return Sessions.withArtifacts(session, () -> {
                try {
                    return body.call();
                } catch (Throwable e) {
                    return Json.error(e);
                }
            });
        } finally {
            JobOutput.leave(job.jobId, output);
            running.end(job.jobId, registration);
            ExitGuard.leave();
            saved.restore();
        }
    }

    private static String notPrepared(String jobId) {
        return Json.error("job " + jobId + " is not prepared and validated here (killed, or never prepared)",
                IllegalStateException.class.getName());
    }

    private static List<String> jars(String jarsJson) {
        List<String> jars = new ArrayList<>();
        for (Object jar : Json.parse(jarsJson, List.class)) {
            jars.add(String.valueOf(jar));
        }
        return jars;
    }
}
