package dev.eventbackbone.launcher.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Analytics events of an exact JSON size, spread over a few thousand users so keys cover every partition. */
final class EventBodies {

    static final int USERS = 5_000;
    private static final String TEMPLATE = "{\"name\":\"page_view\",\"userId\":\"u-%d\",\"sessionId\":\"s-%d\","
            + "\"value\":1.5,\"properties\":{\"page\":\"/pricing\",\"pad\":\"%s\"}}";

    private static final Map<Integer, String[]> BY_SIZE = new ConcurrentHashMap<>();

    private EventBodies() {
    }

    /** The event for sequence {@code n}, padded to {@code size} bytes (or as small as it gets). */
    static String event(long n, int size) {
        int user = (int) (n % USERS);
        // An event depends only on its user and size: each is formatted once, so the load tool spends its CPU on HTTP.
        String[] events = BY_SIZE.computeIfAbsent(size, s -> new String[USERS]);
        String event = events[user];
        if (event == null) {
            String bare = TEMPLATE.formatted(user, user, "");
            int pad = Math.max(0, size - bare.getBytes(StandardCharsets.UTF_8).length);
            event = TEMPLATE.formatted(user, user, "x".repeat(pad));
            events[user] = event;
        }
        return event;
    }

    static String batch(long first, int count, int size) {
        StringBuilder batch = new StringBuilder(count * (size + 1) + 16).append("{\"events\":[");
        for (int i = 0; i < count; i++) {
            batch.append(i == 0 ? "" : ",").append(event(first + i, size));
        }
        return batch.append("]}").toString();
    }
}
