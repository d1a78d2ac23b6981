package jobserver.host;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.SparkJob;

/**
 * One child session of the context's session per binary version (the ordered list of its jars),
 * with the jars' contents added as the session's artifacts (see {@link BinaryArtifacts}). Spark
 * gives such a session its own class loader in the driver (a child of Spark's) and, with artifact
 * isolation on, its own class loader on every executor for the tasks its jobs start. So two
 * versions of one class never meet, in the driver or on an executor, and a re-uploaded jar
 * (another file) gets a new session for the next job.
 *
 * <p>The job API and Typesafe Config jars are added to every session too: executors load a
 * session's classes in a loader of their own, and a job's closures reference the API's types.
 */
final class BinarySessions {
    private static final String ISOLATION = "spark.sql.artifact.isolation.enabled";

    private final SparkSession root;
    private final List<Path> shared;
    private final ConcurrentHashMap<List<String>, Binary> binaries = new ConcurrentHashMap<>();

    /** A binary version: its session, the session's class loader and the job classes found in it. */
    record Binary(SparkSession session, ClassLoader loader, ConcurrentHashMap<String, JobClass> classes) {
        JobClass jobClass(String className) throws ClassNotFoundException {
            JobClass found = classes.get(className);
            if (found == null) {
                found = JobClass.find(loader, className);
                classes.put(className, found);
            }
            return found;
        }
    }

    BinarySessions(SparkSession root) {
        this.root = root;
        this.shared = List.of(jarOf(SparkJob.class), jarOf(Config.class));
    }

    /** The session of these jars, opened on first use. A jar is known by its path, size and time. */
    Binary forJars(List<String> jars) throws IOException {
        List<Path> paths = new ArrayList<>();
        List<String> version = new ArrayList<>();
        for (String jar : jars) {
            Path path = Path.of(jar).toRealPath();
            paths.add(path);
            version.add(path + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis());
        }
        return binaries.computeIfAbsent(version, ignored -> open(paths));
    }

    private Binary open(List<Path> jars) {
        SparkSession session = root.newSession();
        session.conf().set(ISOLATION, "true");
        BinaryArtifacts artifacts = new BinaryArtifacts(session);
        try {
            for (Path jar : shared) {
                artifacts.addShared(jar);
            }
            for (Path jar : jars) {
                artifacts.addBinary(jar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Binary(session, Sessions.classLoader(session), new ConcurrentHashMap<>());
    }

    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException("no jar for " + type.getName(), e));
        }
    }
}
