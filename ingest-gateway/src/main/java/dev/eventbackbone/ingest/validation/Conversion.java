package dev.eventbackbone.ingest.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The state of one {@link JsonRecordReader#read} call: where in the body the readers are, and
 * what they found wrong there. The path is a stack of segments that is only rendered when an
 * error is reported, so a valid event costs no string building.
 */
final class Conversion {

    static final int MAX_ERRORS = 100;

    private static final int FIELD = -1;
    private static final int MAP_KEY = -2;

    /** Per depth: the field name or map key; unused for array elements. */
    private String[] names = new String[8];
    /** Per depth: the array index, or {@link #FIELD} or {@link #MAP_KEY}. */
    private int[] indices = new int[8];
    private int depth;
    private final List<FieldError> errors = new ArrayList<>();

    void enterField(String name) {
        push(name, FIELD);
    }

    void enterIndex(int index) {
        push(null, index);
    }

    void enterMapKey(String key) {
        push(key, MAP_KEY);
    }

    void leave() {
        depth--;
    }

    /**
     * Reports what is wrong at the current path.
     *
     * @return always {@code null}, so a reader can return it in place of the value it could not convert
     */
    Object fail(String message) {
        if (!full()) {
            errors.add(new FieldError(path(), message));
        }
        return null;
    }

    /** Reports a value that is not what the schema asks for, as {@code expected <expected>, got <got>}. */
    Object reject(String expected, String got) {
        return fail("expected " + expected + ", got " + got);
    }

    Object reject(String expected, JsonNode got) {
        return reject(expected, kindOf(got));
    }

    /** True once {@link #MAX_ERRORS} are reported: more would not help the caller, so readers may stop early. */
    boolean full() {
        return errors.size() >= MAX_ERRORS;
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    List<FieldError> errors() {
        return errors;
    }

    private static String kindOf(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case OBJECT -> "object";
            case ARRAY -> "array";
            case NULL -> "null";
            case MISSING -> "no value";
            // Only trees built in code hold these; a parsed body never does.
            case BINARY, POJO -> "non-JSON value";
        };
    }

    private void push(String name, int index) {
        if (depth == names.length) {
            names = Arrays.copyOf(names, depth * 2);
            indices = Arrays.copyOf(indices, depth * 2);
        }
        names[depth] = name;
        indices[depth] = index;
        depth++;
    }

    private String path() {
        if (depth == 0) {
            return "$";
        }
        StringBuilder path = new StringBuilder();
        for (int level = 0; level < depth; level++) {
            int index = indices[level];
            String name = names[level];
            if (index >= 0) {
                path.append('[').append(index).append(']');
            } else if (index == MAP_KEY && !isPlainKey(name)) {
                // A key such as "a.b" or "x[0]" would read as a deeper path if written plainly.
                path.append("[\"").append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
            } else {
                if (level > 0) {
                    path.append('.');
                }
                path.append(name);
            }
        }
        return path.toString();
    }

    private static boolean isPlainKey(String key) {
        if (key.isEmpty()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!plain) {
                return false;
            }
        }
        return true;
    }
}
