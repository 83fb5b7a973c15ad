package dev.eventbackbone.launcher.bench;

import java.nio.charset.StandardCharsets;

/** Analytics events of an exact JSON size, spread over a few thousand users so keys cover every partition. */
final class EventBodies {

    static final int USERS = 5_000;
    private static final String TEMPLATE = "{\"name\":\"page_view\",\"userId\":\"u-%d\",\"sessionId\":\"s-%d\","
            + "\"value\":1.5,\"properties\":{\"page\":\"/pricing\",\"pad\":\"%s\"}}";

    private EventBodies() {
    }

    /** The event for sequence {@code n}, padded to {@code size} bytes (or as small as it gets). */
    static String event(long n, int size) {
        long user = n % USERS;
        String bare = TEMPLATE.formatted(user, user, "");
        int pad = Math.max(0, size - bare.getBytes(StandardCharsets.UTF_8).length);
        return TEMPLATE.formatted(user, user, "x".repeat(pad));
    }

    static String batch(long first, int count, int size) {
        StringBuilder batch = new StringBuilder(count * (size + 1) + 16).append("{\"events\":[");
        for (int i = 0; i < count; i++) {
            batch.append(i == 0 ? "" : ",").append(event(first + i, size));
        }
        return batch.append("]}").toString();
    }
}
