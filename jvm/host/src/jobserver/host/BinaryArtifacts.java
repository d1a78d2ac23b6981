package jobserver.host;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.SparkSession;

/**
 * Puts a binary version's jars into its session so that executors never take its classes from
 * another session.
 *
 * <p>On an executor a session's class loader asks Spark's default class loader first (Spark 4,
 * SPARK-51537), and that loader gets the jars of every session as soon as a task outside any
 * session runs there (a Python job's RDD work, the context's own queries). Had a binary's jar
 * been a jar artifact, a later session of another version would then load the first version of
 * its classes found there. So each class goes in as one of the session's class files, which only
 * that session's class loader fetches (from the driver, by the session's class URI); what else
 * the jar holds (resources) goes in as a jar of its own. The first jar of the list holding a
 * class or resource wins, as on a class path.
 */
final class BinaryArtifacts {
    private static final String CLASS = ".class";

    private final SparkSession session;
    private final Set<String> classes = new HashSet<>();
    private final Set<String> added = new HashSet<>(); // the jars taken, by artifactName

    BinaryArtifacts(SparkSession session) {
        this.session = session;
    }

    /** A jar every session holds as is (the job API): the same file for all, so sharing it is fine. */
    void addShared(Path jar) {
        String name = artifactName(jar, jar);
        if (added.add(name)) {
            session.addArtifact(jar.toString(), name);
        }
    }

    /** A jar of the binary: its classes as the session's class files, the rest as a jar. */
    void addBinary(Path jar) throws IOException {
        if (!added.add(artifactName(jar, jar))) {
            return; // the same content again later in the list: the first copy already won
        }
        Path staging = Files.createTempFile("binary-class-", CLASS);
        Path resources = Files.createTempFile("binary-resources-", ".jar");
        try {
            if (split(jar, staging, resources)) {
                session.addArtifact(resources.toString(), artifactName(resources, jar));
            }
        } finally {
            Files.deleteIfExists(staging);
            Files.deleteIfExists(resources);
        }
    }

    /** Add the jar's classes through {@code staging}; write its other files to {@code resources}. */
    private boolean split(Path jar, Path staging, Path resources) throws IOException {
        boolean anyResource = false;
        try (JarFile in = new JarFile(jar.toFile(), false, ZipFile.OPEN_READ, Runtime.version());
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(resources))) {
            Iterator<JarEntry> entries = in.versionedStream().iterator(); // a multi-release jar as this JVM reads it
            while (entries.hasNext()) {
                JarEntry entry = entries.next();
                String name = entry.getName();
                if (entry.isDirectory() || (name.endsWith(CLASS) && !classes.add(name))) {
                    continue;
                }
                try (InputStream data = in.getInputStream(entry)) {
                    if (name.endsWith(CLASS)) {
                        Files.copy(data, staging, StandardCopyOption.REPLACE_EXISTING);
                        session.addArtifact(staging.toString(), name); // copied to classes/<name>
                    } else {
                        ZipEntry copy = new ZipEntry(name);
                        copy.setTime(entry.getTime()); // the same jar gives the same bytes, so the same name
                        out.putNextEntry(copy);
                        data.transferTo(out);
                        anyResource = true;
                    }
                }
            }
        }
        return anyResource;
    }

    /**
     * The name of {@code jar}'s file with the digest of {@code content} before it. Executors fetch
     * every session's jars into one directory by file name (and Spark's default session fetches all
     * sessions' jars), so two different jars must not share a name; the same jar in several
     * sessions may.
     */
    private static String artifactName(Path content, Path jar) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(content), sha256)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha256.digest(), 0, 8) + "-" + jar.getFileName();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
