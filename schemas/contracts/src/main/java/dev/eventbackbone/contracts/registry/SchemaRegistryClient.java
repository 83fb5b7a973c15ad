package dev.eventbackbone.contracts.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API, for Avro schemas. It speaks only the subset
 * that Confluent, Apicurio (ccompat), Karapace, Redpanda and the backbone's own registry all
 * serve, so any of them can stand behind {@code schema.registry.url}.
 *
 * <pre>{@code
 * SchemaRegistryClient registry = SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", "http://127.0.0.1:8081"));
 * int id = registry.register("orders.commands-value", OrderCommand.getClassSchema());
 * Schema writer = registry.schemaById(id);
 * }</pre>
 *
 * <p>Thread-safe; share one per application. Answers that never change (the schema of an id, the
 * id and version of a schema under a subject) are kept in bounded LRU caches. A request that
 * cannot connect is sent to the next URL of the list; connection errors, 5xx and 429 answers are
 * retried with exponential backoff, other 4xx answers never. Failures are
 * {@link SchemaRegistryException}s.
 */
public final class SchemaRegistryClient {

    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final String ACCEPT = "application/vnd.schemaregistry.v1+json, "
            + "application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Endpoint> endpoints;
    private final AtomicInteger preferredEndpoint = new AtomicInteger();
    private final HttpClient http;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;
    private final LruCache<Integer, Schema> schemasById;
    private final LruCache<SubjectSchema, Integer> idsBySubjectSchema;
    private final LruCache<SubjectSchema, RegisteredSchema> versionsBySubjectSchema;

    private SchemaRegistryClient(Builder builder) {
        if (builder.urls.isEmpty()) {
            throw new ConfigException(SchemaRegistryClientConfig.URL, "",
                    "No schema registry URL given: set it to the registry's base URL, e.g. http://127.0.0.1:8081");
        }
        this.endpoints = builder.urls.stream().map(url -> Endpoint.of(url, builder)).toList();
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (builder.sslContext != null) {
            http.sslContext(builder.sslContext);
        }
        this.http = http.build();
        this.requestTimeout = builder.requestTimeout;
        this.retryPolicy = new RetryPolicy(builder.maxRetries, builder.retryBackoff, builder.retryBackoffMax);
        this.schemasById = new LruCache<>(builder.cacheCapacity);
        this.idsBySubjectSchema = new LruCache<>(builder.cacheCapacity);
        this.versionsBySubjectSchema = new LruCache<>(builder.cacheCapacity);
    }

    /** A client configured with Confluent's keys, see {@link SchemaRegistryClientConfig}; unknown keys are ignored. */
    public static SchemaRegistryClient fromConfig(Map<String, ?> config) {
        return builder().configure(new SchemaRegistryClientConfig(config)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Registers the schema under the subject, or finds it registered already, and returns its id.
     * Fails with error_code 409 when the registry finds it incompatible with the subject's earlier versions.
     */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        return idsBySubjectSchema.computeIfAbsent(key, k -> {
            int id = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema))
                    .path("id").asInt();
            schemasById.put(id, schema);
            return id;
        });
    }

    /** The version of the subject that has this schema, or empty when the subject or the schema is unknown. */
    public Optional<RegisteredSchema> lookup(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        RegisteredSchema cached = versionsBySubjectSchema.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            RegisteredSchema found = registered(send("POST", "/subjects/" + encode(subject), schemaBody(schema)),
                    subject);
            versionsBySubjectSchema.put(key, found);
            idsBySubjectSchema.put(key, found.id());
            return Optional.of(found);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404 && e.isNotFound(SchemaRegistryException.SUBJECT_NOT_FOUND,
                    SchemaRegistryException.SCHEMA_NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The schema with this registry-wide id, as the wire format's header names it. */
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id,
                k -> parseSchema(send("GET", "/schemas/ids/" + id, null), "/schemas/ids/" + id));
    }

    /** The subject's newest version; asks the registry every time, since it changes. */
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    public RegisteredSchema version(String subject, int version) {
        return version(subject, Integer.toString(version));
    }

    private RegisteredSchema version(String subject, String version) {
        return registered(send("GET", "/subjects/" + encode(subject) + "/versions/" + version, null), subject);
    }

    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).forEach(subject -> subjects.add(subject.asText()));
        return subjects;
    }

    public List<Integer> versions(String subject) {
        List<Integer> versions = new ArrayList<>();
        send("GET", "/subjects/" + encode(subject) + "/versions", null)
                .forEach(version -> versions.add(version.asInt()));
        return versions;
    }

    /**
     * Whether the registry would accept this schema as the subject's next version under the
     * subject's compatibility level. A subject without versions accepts any schema.
     */
    public boolean isCompatible(String subject, Schema schema) {
        try {
            return send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema)).path("is_compatible").asBoolean();
        } catch (SchemaRegistryException e) {
            if (e.status() == 404 && e.isNotFound(SchemaRegistryException.SUBJECT_NOT_FOUND,
                    SchemaRegistryException.VERSION_NOT_FOUND)) {
                return true;
            }
            throw e;
        }
    }

    /** The registry-wide compatibility level, e.g. {@code BACKWARD}. */
    public String compatibility() {
        return send("GET", "/config", null).path("compatibilityLevel").asText();
    }

    /** The level that applies to the subject: its own, or the registry-wide one when it has none. */
    public String compatibility(String subject) {
        return send("GET", "/config/" + encode(subject) + "?defaultToGlobal=true", null)
                .path("compatibilityLevel").asText();
    }

    public void setCompatibility(String level) {
        send("PUT", "/config", compatibilityBody(level));
    }

    public void setCompatibility(String subject, String level) {
        send("PUT", "/config/" + encode(subject), compatibilityBody(level));
    }

    private JsonNode send(String method, String path, String body) {
        for (int retry = 1; ; retry++) {
            try {
                return sendToAnyEndpoint(method, path, body);
            } catch (SchemaRegistryException e) {
                if (!RetryPolicy.isRetryable(e.status()) || retry > retryPolicy.maxRetries()) {
                    throw e;
                }
                Duration wait = retryPolicy.backoff(retry);
                LOG.warn("{} Retry {} of {} in {} ms.", e.getMessage(), retry, retryPolicy.maxRetries(),
                        wait.toMillis());
                pause(wait);
            }
        }
    }

    /** Tries each endpoint in turn, starting with the last one that answered, until one answers. */
    private JsonNode sendToAnyEndpoint(String method, String path, String body) {
        int first = preferredEndpoint.get();
        List<String> unreachable = new ArrayList<>();
        IOException lastFailure = null;
        String lastUrl = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int index = (first + i) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            lastUrl = endpoint.baseUrl() + path;
            HttpResponse<String> response;
            try {
                response = http.send(request(endpoint, method, path, body), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                unreachable.add(lastUrl + " (" + e + ")");
                lastFailure = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptException("Interrupted during " + method + " " + lastUrl, e);
            }
            preferredEndpoint.set(index);
            return answer(method, lastUrl, response);
        }
        throw new SchemaRegistryException(SchemaRegistryException.NO_RESPONSE, SchemaRegistryException.NO_RESPONSE,
                method + " " + path + " reached no schema registry: " + String.join("; ", unreachable)
                        + ". Check that a registry runs at " + SchemaRegistryClientConfig.URL + " and is reachable.",
                lastUrl, lastFailure);
    }

    private HttpRequest request(Endpoint endpoint, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + path))
                .timeout(requestTimeout)
                .header("Accept", ACCEPT)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        endpoint.authorization().ifPresent(value -> request.header("Authorization", value));
        return request.build();
    }

    private static JsonNode answer(String method, String url, HttpResponse<String> response) {
        int status = response.statusCode();
        String text = response.body();
        JsonNode json = null;
        if (text != null && !text.isBlank()) {
            try {
                json = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                if (status / 100 == 2) {
                    throw new SchemaRegistryException(status, status, method + " " + url
                            + " answered with a body that is not JSON: " + abbreviate(text), url, e);
                }
            }
        }
        if (status / 100 == 2) {
            return json == null ? JSON.nullNode() : json;
        }
        int errorCode = json != null && json.path("error_code").canConvertToInt()
                ? json.path("error_code").asInt() : status;
        String message = json != null && json.hasNonNull("message") ? json.get("message").asText() : abbreviate(text);
        throw SchemaRegistryException.answered(status, errorCode, message, method, url);
    }

    private static RegisteredSchema registered(JsonNode answer, String subject) {
        return new RegisteredSchema(answer.path("subject").asText(subject), answer.path("version").asInt(),
                answer.path("id").asInt(), parseSchema(answer, "/subjects/" + subject));
    }

    private static Schema parseSchema(JsonNode answer, String path) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException(200, 200, "The registry answered " + path + " with a " + type
                    + " schema; this client reads only Avro schemas.", path, null);
        }
        try {
            return new Schema.Parser().parse(answer.path("schema").asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(200, 200, "The registry answered " + path
                    + " with a schema Avro cannot parse: " + e.getMessage(), path, e);
        }
    }

    /** Confluent clients omit {@code schemaType} for Avro, its default; so do we, for older registries. */
    private static String schemaBody(Schema schema) {
        return json(Map.of("schema", schema.toString()));
    }

    private static String compatibilityBody(String level) {
        return json(Map.of("compatibility", Objects.requireNonNull(level, "level")));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value + " as JSON", e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(Objects.requireNonNull(subject, "subject"), StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException("Interrupted while waiting to retry a schema registry request", e);
        }
    }

    private record SubjectSchema(String subject, Schema schema) {
    }

    /** One registry base URL, without user info, and the Authorization header to send it. */
    private record Endpoint(String baseUrl, Optional<String> authorization) {

        static Endpoint of(String url, Builder builder) {
            URI uri;
            try {
                uri = URI.create(url.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SchemaRegistryClientConfig.URL, url, "not a URL (" + e.getMessage()
                        + "); expected an http:// or https:// URL such as http://127.0.0.1:8081");
            }
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new ConfigException(SchemaRegistryClientConfig.URL, url,
                        "expected an http:// or https:// URL such as http://127.0.0.1:8081");
            }
            String withoutUserInfo = uri.getScheme() + "://" + uri.getHost()
                    + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", ""));
            Optional<String> authorization;
            if (builder.bearerToken != null) {
                authorization = Optional.of("Bearer " + builder.bearerToken);
            } else if (builder.basicUserInfo != null) {
                authorization = Optional.of(basic(builder.basicUserInfo));
            } else if (builder.basicFromUrl && uri.getRawUserInfo() != null) {
                authorization = Optional.of(basic(decodeUserInfo(uri.getRawUserInfo())));
            } else {
                authorization = Optional.empty();
            }
            return new Endpoint(withoutUserInfo, authorization);
        }

        /** Percent-decodes user info; a '+' in it is a plus, not a space as in form encoding. */
        private static String decodeUserInfo(String rawUserInfo) {
            return URLDecoder.decode(rawUserInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
        }

        private static String basic(String userInfo) {
            return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Programmatic configuration; every setting has the default of its {@link SchemaRegistryClientConfig} key. */
    public static final class Builder {
        private final List<String> urls = new ArrayList<>();
        private String basicUserInfo;
        private boolean basicFromUrl;
        private String bearerToken;
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofMillis(5_000);
        private Duration requestTimeout = Duration.ofMillis(10_000);
        private int maxRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(100);
        private Duration retryBackoffMax = Duration.ofMillis(10_000);
        private int cacheCapacity = 1_000;

        private Builder() {
        }

        /** Adds base URLs, tried in this order when one cannot be reached. */
        public Builder urls(String... urls) {
            this.urls.addAll(List.of(urls));
            return this;
        }

        /** HTTP basic auth with these credentials on every request. */
        public Builder basicAuth(String user, String password) {
            this.basicUserInfo = user + ":" + password;
            return this;
        }

        /** HTTP basic auth with the user info of each URL ({@code http://user:secret@host:8081}). */
        public Builder basicAuthFromUrl() {
            this.basicFromUrl = true;
            return this;
        }

        public Builder bearerToken(String token) {
            this.bearerToken = token;
            return this;
        }

        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Retries after connection errors, 5xx and 429: waits {@code backoff}, doubling each time up to {@code maxBackoff}. */
        public Builder retries(int maxRetries, Duration backoff, Duration maxBackoff) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be 0 or more, got " + maxRetries);
            }
            this.maxRetries = maxRetries;
            this.retryBackoff = backoff;
            this.retryBackoffMax = maxBackoff;
            return this;
        }

        public Builder cacheCapacity(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("cacheCapacity must be at least 1, got " + entries);
            }
            this.cacheCapacity = entries;
            return this;
        }

        Builder configure(SchemaRegistryClientConfig config) {
            urls(config.getList(SchemaRegistryClientConfig.URL).toArray(String[]::new));
            Password userInfo = config.getPassword(SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO);
            Password token = config.getPassword(SchemaRegistryClientConfig.BEARER_AUTH_TOKEN);
            String source = config.getString(SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE);
            boolean basic = userInfo != null || config.originals()
                    .containsKey(SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE);
            if (token != null && basic) {
                throw new ConfigException("Both " + SchemaRegistryClientConfig.BEARER_AUTH_TOKEN + " and "
                        + SchemaRegistryClientConfig.BASIC_AUTH_CREDENTIALS_SOURCE + "/"
                        + SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO
                        + " are set: a request carries one Authorization header, so remove one of them.");
            }
            if (token != null) {
                bearerToken(token.value());
            } else if (SchemaRegistryClientConfig.CREDENTIALS_SOURCE_URL.equals(source)) {
                basicAuthFromUrl();
            } else if (userInfo != null) {
                if (!userInfo.value().contains(":")) {
                    throw new ConfigException(SchemaRegistryClientConfig.BASIC_AUTH_USER_INFO, "[hidden]",
                            "expected user:password");
                }
                this.basicUserInfo = userInfo.value();
            }
            SSLContext ssl = sslContext(config);
            if (ssl != null) {
                sslContext(ssl);
            }
            connectTimeout(Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.CONNECT_TIMEOUT_MS)));
            requestTimeout(Duration.ofMillis(config.getInt(SchemaRegistryClientConfig.REQUEST_TIMEOUT_MS)));
            retries(config.getInt(SchemaRegistryClientConfig.MAX_RETRIES),
                    Duration.ofMillis(config.getLong(SchemaRegistryClientConfig.RETRY_BACKOFF_MS)),
                    Duration.ofMillis(config.getLong(SchemaRegistryClientConfig.RETRY_BACKOFF_MAX_MS)));
            return cacheCapacity(config.getInt(SchemaRegistryClientConfig.CACHE_CAPACITY));
        }

        private static SSLContext sslContext(SchemaRegistryClientConfig config) {
            String truststore = config.getString(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION);
            String keystore = config.getString(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION);
            if (truststore.isBlank() && keystore.isBlank()) {
                return null;
            }
            try {
                TrustManagerFactory trust = null;
                if (!truststore.isBlank()) {
                    trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    trust.init(load(SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION, truststore,
                            config.getString(SchemaRegistryClientConfig.SSL_TRUSTSTORE_TYPE),
                            config.getPassword(SchemaRegistryClientConfig.SSL_TRUSTSTORE_PASSWORD)));
                }
                KeyManagerFactory keys = null;
                if (!keystore.isBlank()) {
                    Password password = config.getPassword(SchemaRegistryClientConfig.SSL_KEYSTORE_PASSWORD);
                    keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    keys.init(load(SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION, keystore,
                                    config.getString(SchemaRegistryClientConfig.SSL_KEYSTORE_TYPE), password),
                            chars(password));
                }
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keys == null ? null : keys.getKeyManagers(),
                        trust == null ? null : trust.getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new ConfigException("Cannot build the TLS context for the schema registry from "
                        + SchemaRegistryClientConfig.SSL_TRUSTSTORE_LOCATION + "='" + truststore + "' and "
                        + SchemaRegistryClientConfig.SSL_KEYSTORE_LOCATION + "='" + keystore + "': " + e);
            }
        }

        private static KeyStore load(String key, String location, String type, Password password)
                throws GeneralSecurityException {
            KeyStore store = KeyStore.getInstance(type);
            try (InputStream in = Files.newInputStream(Path.of(location))) {
                store.load(in, chars(password));
            } catch (IOException e) {
                throw new ConfigException(key, location, "cannot read the " + type + " store: " + e);
            }
            return store;
        }

        private static char[] chars(Password password) {
            return password == null ? null : password.value().toCharArray();
        }

        public SchemaRegistryClient build() {
            return new SchemaRegistryClient(this);
        }
    }
}
