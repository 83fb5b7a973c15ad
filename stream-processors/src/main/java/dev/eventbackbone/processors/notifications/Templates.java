package dev.eventbackbone.processors.notifications;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Per-tenant Mustache templates with locale fallback, compiled once at start. A file
 * {@code <tenant>/<templateId>[.<locale>].mustache} holds the body; a first line
 * {@code Subject: ...} followed by a blank line gives the subject. A template is looked up for the
 * tenant, then in {@code default/}; in each, for the full locale ({@code de-CH}), its language
 * ({@code de}), then without a locale. Values are inserted as written, never HTML-escaped: the
 * channels carry plain text and JSON.
 */
public final class Templates {

    /** The directory whose templates every tenant may use. */
    public static final String SHARED = "default";
    private static final String SUFFIX = ".mustache";
    private static final String SUBJECT_PREFIX = "Subject: ";

    /** A compiled template: the subject may be absent. */
    record Template(Mustache subject, Mustache body) {
    }

    /** A rendered template. */
    public record Rendered(String subject, String body) {
    }

    private final Map<String, Template> byKey;

    private Templates(Map<String, Template> byKey) {
        this.byKey = byKey;
    }

    public static Templates none() {
        return new Templates(Map.of());
    }

    /** Every template under the directory; a template that does not compile stops the start with its file name. */
    public static Templates load(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return none();
        }
        DefaultMustacheFactory factory = new DefaultMustacheFactory() {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new MustacheException("Cannot write a template value", e);
                }
            }
        };
        Map<String, Template> templates = new HashMap<>();
        // Links are followed and ".."-entries skipped: a Kubernetes ConfigMap volume shows each file through
        // links into a hidden "..<timestamp>" directory that holds the same files once more.
        try (Stream<Path> files = Files.walk(dir, 2, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .filter(f -> !dir.relativize(f).toString().startsWith("..")).toList()) {
                if (file.getParent().equals(dir)) {
                    continue;
                }
                String tenant = file.getParent().getFileName().toString();
                String name = file.getFileName().toString();
                String key = tenant + "/" + name.substring(0, name.length() - SUFFIX.length());
                templates.put(key, compile(factory, key, Files.readString(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the templates in " + dir, e);
        }
        return new Templates(Map.copyOf(templates));
    }

    private static Template compile(DefaultMustacheFactory factory, String name, String text) {
        String subject = null;
        String body = text;
        if (text.startsWith(SUBJECT_PREFIX)) {
            int end = text.indexOf('\n');
            subject = (end < 0 ? text : text.substring(0, end)).substring(SUBJECT_PREFIX.length()).strip();
            body = end < 0 ? "" : text.substring(end + 1);
            if (body.startsWith("\n")) {
                body = body.substring(1);
            } else if (body.startsWith("\r\n")) {
                body = body.substring(2);
            }
        }
        try {
            return new Template(subject == null ? null : factory.compile(new StringReader(subject), name + ":subject"),
                    factory.compile(new StringReader(body), name));
        } catch (MustacheException e) {
            throw new IllegalArgumentException("Template " + name + SUFFIX + " does not compile: " + e.getMessage(), e);
        }
    }

    /** Whether the tenant has the template for the locale, or a fallback for it. */
    public boolean has(String tenant, String templateId, String locale) {
        return find(tenant, templateId, locale).isPresent();
    }

    /** The template rendered with the variables, in the best locale there is; empty when the tenant has no such template. */
    public Optional<Rendered> render(String tenant, String templateId, String locale, Map<String, ?> variables) {
        return find(tenant, templateId, locale).map(template -> new Rendered(
                template.subject() == null ? null : execute(template.subject(), variables),
                execute(template.body(), variables)));
    }

    private Optional<Template> find(String tenant, String templateId, String locale) {
        for (String owner : new String[] {tenant, SHARED}) {
            for (String suffix : localeSuffixes(locale)) {
                Template template = byKey.get(owner + "/" + templateId + suffix);
                if (template != null) {
                    return Optional.of(template);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code .de-CH}, {@code .de}, then none. */
    private static String[] localeSuffixes(String locale) {
        if (locale == null || locale.isBlank()) {
            return new String[] {""};
        }
        int dash = locale.indexOf('-');
        return dash > 0 ? new String[] {"." + locale, "." + locale.substring(0, dash), ""}
                : new String[] {"." + locale, ""};
    }

    private static String execute(Mustache template, Map<String, ?> variables) {
        StringWriter out = new StringWriter();
        template.execute(out, variables);
        return out.toString();
    }
}
