package jobserver.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a JVM job prints to {@code System.out} and {@code System.err} while it validates and runs,
 * kept apart from every other job's: the JVM's two streams are replaced once by ones that hand
 * each write to the capture of the job whose thread (or a thread it started) writes, and pass
 * every other write on. The job's worker takes the text at the job's end and writes it to its own
 * output, which its host reads as the job's log (context_host/job_output.py).
 *
 * <p>Not captured here: log4j (its console appender keeps the stream it was set up with; the job's
 * log4j events reach its log through {@link JobLogEvents}), and what a Spark thread shared by all
 * jobs writes. A capture keeps {@link #LIMIT} bytes.
 */
final class JobOutput extends OutputStream {
    static final int LIMIT = 1 << 20;
    private static final int UNCLAIMED = 16; // captures kept for jobs whose worker never took them
    private static final InheritableThreadLocal<Capture> CURRENT = new InheritableThreadLocal<>();
    private static final Map<String, Capture> ENDED = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Capture> eldest) {
            return size() > UNCLAIMED;
        }
    });
    private static boolean installed;

    private final OutputStream passOn;

    /** One job's output so far; writes after its scope ended pass on to the JVM's own streams. */
    static final class Capture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private long dropped;
        private boolean closed;

        synchronized boolean offer(byte[] data, int offset, int length) {
            if (closed) {
                return false;
            }
            int room = Math.max(0, LIMIT - bytes.size());
            bytes.write(data, offset, Math.min(room, length));
            dropped += Math.max(0, length - room);
            return true;
        }

        synchronized String close() {
            closed = true;
            String text = bytes.toString(StandardCharsets.UTF_8);
            return dropped == 0 ? text : text + "\n[sjs] the job's JVM output stopped at " + LIMIT + " bytes: "
                    + dropped + " more bytes were not kept\n";
        }
    }

    private JobOutput(OutputStream passOn) {
        this.passOn = passOn;
    }

    /** Route System.out and System.err through captures, once per JVM. */
    static synchronized void install() {
        if (!installed) {
            System.setOut(new PrintStream(new JobOutput(System.out), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new JobOutput(System.err), true, StandardCharsets.UTF_8));
            installed = true;
        }
    }

    /** From now on, what this thread and the threads it starts print is {@code jobId}'s. */
    static Capture enter() {
        Capture capture = new Capture();
        CURRENT.set(capture);
        return capture;
    }

    /** The scope has ended: keep what it printed for {@link #take}, after what it printed before. */
    static void leave(String jobId, Capture capture) {
        CURRENT.remove();
        String text = capture.close();
        if (!text.isEmpty()) {
            ENDED.merge(jobId, textCapture(text), (before, now) -> textCapture(before.close() + now.close()));
        }
    }

    /** What the job printed (its validation and its run), once; empty when nothing. */
    static String take(String jobId) {
        Capture capture = ENDED.remove(jobId);
        return capture == null ? "" : capture.close();
    }

    private static Capture textCapture(String text) {
        Capture capture = new Capture();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        capture.offer(bytes, 0, bytes.length);
        return capture;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) throws IOException {
        Capture capture = CURRENT.get();
        if (capture == null || !capture.offer(data, offset, length)) {
            passOn.write(data, offset, length);
        }
    }

    @Override
    public void flush() throws IOException {
        passOn.flush();
    }
}
