package jobserver.host;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.SparkJob;

/**
 * One child session of the context's session per binary version (the ordered list of its jars),
 * with the jars added as the session's artifacts. Spark gives such a session its own class loader
 * in the driver (a child of Spark's) and, with artifact isolation on, its own class loader on every
 * executor for the tasks its jobs start. So two versions of one class never meet, in the driver or
 * on an executor, and a re-uploaded jar (another file) gets a new session for the next job.
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
        List<Path> all = new ArrayList<>(shared);
        all.addAll(jars);
        for (Path jar : all) {
            session.addArtifact(jar.toString(), artifactName(jar));
        }
        return new Binary(session, Sessions.classLoader(session), new ConcurrentHashMap<>());
    }

    /**
     * The jar's name prefixed with its content's digest. Executors fetch every session's jars into
     * one directory by file name (and Spark's default session fetches all sessions' jars), so two
     * versions of "job.jar" must not share a name; the same jar in several sessions may.
     */
    private static String artifactName(Path jar) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(jar), sha256)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha256.digest(), 0, 8) + "-" + jar.getFileName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException("no jar for " + type.getName(), e));
        }
    }
}
