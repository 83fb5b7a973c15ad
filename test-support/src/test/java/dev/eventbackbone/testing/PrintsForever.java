package dev.eventbackbone.testing;

import java.util.concurrent.locks.LockSupport;

/** A child program that prints a line after another and never exits, as a stuck service would. */
public final class PrintsForever {

    private PrintsForever() {
    }

    public static void main(String[] args) {
        for (long line = 0; ; line++) {
            System.out.println("still running, line " + line);
            // Paces the output so the log stays small; the test waits on the harness, not on this.
            LockSupport.parkNanos(1_000_000);
        }
    }
}
