package dev.eventbackbone.testing;

import java.util.concurrent.CountDownLatch;

/** A child program that says it is ready and then waits for a signal, as a service does. */
public final class ServesUntilKilled {

    private ServesUntilKilled() {
    }

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stopping cleanly")));
        System.out.println("ready to serve " + String.join(" ", args));
        new CountDownLatch(1).await();
    }
}
