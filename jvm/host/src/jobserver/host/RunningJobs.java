package jobserver.host;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The threads running JVM jobs (the callers' own threads), so a kill can reach them: interrupt
 * first, and a thread still busy after the grace is stopped. {@code Thread.stop} works up to Java
 * 19; from Java 20 it throws, and a job that ignores interrupts and Spark's cancellation (a busy
 * loop in plain Java) keeps running: {@link #kill} then answers false.
 */
final class RunningJobs {
    private static final long STOP_RETRY_MILLIS = 50;
    private static final long STOP_BOUND_MILLIS = 500;

    private final ConcurrentHashMap<String, Running> byJob = new ConcurrentHashMap<>();

    /** A job running on one thread; {@code done} is set under its lock, so a stop never lands after it. */
    static final class Running {
        private final Thread thread = Thread.currentThread();
        private final CountDownLatch ended = new CountDownLatch(1);
        private boolean done;

        private synchronized void finish() {
            done = true;
        }

        @SuppressWarnings({"removal", "deprecation"})
        private synchronized boolean stop() {
            if (!done) {
                thread.stop();
            }
            return !done;
        }

        private boolean awaitEnd(long millis) throws InterruptedException {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        }
    }

    /** Register the calling thread as running {@code jobId}. */
    Running start(String jobId) {
        Running running = new Running();
        if (byJob.putIfAbsent(jobId, running) != null) {
            throw new IllegalStateException("job " + jobId + " is running already");
        }
        return running;
    }

    /** The job's code has returned (or thrown): from here on a kill leaves the thread alone. */
    @SuppressWarnings("removal")
    void end(String jobId, Running running) {
        while (true) {
            try {
                running.finish();
                break;
            } catch (ThreadDeath late) { // a stop that raced the job's own end
            }
        }
        byJob.remove(jobId, running);
        running.ended.countDown();
    }

    boolean isRunning(String jobId) {
        return byJob.containsKey(jobId);
    }

    /** Interrupt the job's thread, and stop it if it is still running after {@code graceMillis}. */
    boolean kill(String jobId, long graceMillis) throws InterruptedException {
        Running running = byJob.get(jobId);
        if (running == null) {
            return true;
        }
        running.thread.interrupt();
        if (running.awaitEnd(graceMillis)) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_BOUND_MILLIS);
        try {
            while (running.stop()) {
                if (running.awaitEnd(STOP_RETRY_MILLIS) || System.nanoTime() > deadline) {
                    break;
                }
            }
        } catch (UnsupportedOperationException e) { // Java 20+: Thread.stop is gone
            return false;
        }
        return running.awaitEnd(STOP_RETRY_MILLIS);
    }
}
