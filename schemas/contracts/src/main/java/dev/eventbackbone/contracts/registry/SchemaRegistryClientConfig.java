package dev.eventbackbone.contracts.registry;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Settings of a {@link SchemaRegistryClient}. The keys are Confluent's where Confluent has one,
 * so an existing serializer configuration works unchanged; the timeouts, retries and cache size
 * are ours.
 */
public final class SchemaRegistryClientConfig extends AbstractConfig {

    public static final String URL = "schema.registry.url";
    private static final String URL_DOC = "Comma-separated base URLs of Confluent-compatible schema registries, "
            + "e.g. http://registry-1:8081,http://registry-2:8081. A request that cannot connect to one "
            + "URL is sent to the next.";

    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    private static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC = "Where HTTP basic-auth credentials come from: "
            + "USER_INFO takes them from basic.auth.user.info, URL from the user-info part of each "
            + "registry URL (http://user:secret@host:8081).";
    public static final String CREDENTIALS_SOURCE_USER_INFO = "USER_INFO";
    public static final String CREDENTIALS_SOURCE_URL = "URL";

    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    private static final String BASIC_AUTH_USER_INFO_DOC = "HTTP basic-auth credentials as user:password, "
            + "used when basic.auth.credentials.source=USER_INFO.";

    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    private static final String BEARER_AUTH_TOKEN_DOC = "A static bearer token sent as 'Authorization: Bearer "
            + "<token>'. Cannot be combined with basic auth.";

    public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    private static final String SSL_TRUSTSTORE_LOCATION_DOC = "Trust store file holding the CA certificates "
            + "for https registry URLs; the JVM's default trust store when empty.";
    public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    private static final String SSL_TRUSTSTORE_PASSWORD_DOC = "Password of the trust store.";
    public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    private static final String SSL_TRUSTSTORE_TYPE_DOC = "Format of the trust store file: JKS or PKCS12.";

    public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    private static final String SSL_KEYSTORE_LOCATION_DOC = "Key store file with this client's certificate and "
            + "private key, for registries that require mutual TLS.";
    public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    private static final String SSL_KEYSTORE_PASSWORD_DOC = "Password of the key store and of the key in it.";
    public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    private static final String SSL_KEYSTORE_TYPE_DOC = "Format of the key store file: JKS or PKCS12.";

    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    private static final String CONNECT_TIMEOUT_MS_DOC = "How long to wait for a TCP connection to a registry URL "
            + "before trying the next one.";

    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    private static final String REQUEST_TIMEOUT_MS_DOC = "How long to wait for a registry's answer to one request.";

    public static final String MAX_RETRIES = "schema.registry.max.retries";
    private static final String MAX_RETRIES_DOC = "How many times a request is retried after a connection error, "
            + "a 5xx or a 429 answer. Other 4xx answers are never retried.";

    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    private static final String RETRY_BACKOFF_MS_DOC = "Wait before the first retry; each further retry waits twice "
            + "as long, up to schema.registry.retry.backoff.max.ms.";

    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    private static final String RETRY_BACKOFF_MAX_MS_DOC = "The longest wait between two retries.";

    public static final String CACHE_CAPACITY = "schema.registry.cache.capacity";
    private static final String CACHE_CAPACITY_DOC = "Entries kept in each of the client's least-recently-used "
            + "caches (schema by id, id by subject and schema, version by subject and schema).";

    private static final ConfigDef CONFIG = configDef();

    public SchemaRegistryClientConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    /**
     * A fresh definition of the client's keys, for configurations that extend it (a serde
     * configuration adds its own keys to this).
     */
    public static ConfigDef configDef() {
        return new ConfigDef()
                .define(URL, Type.LIST, "", Importance.HIGH, URL_DOC)
                .define(BASIC_AUTH_CREDENTIALS_SOURCE, Type.STRING, CREDENTIALS_SOURCE_USER_INFO,
                        ValidString.in(CREDENTIALS_SOURCE_USER_INFO, CREDENTIALS_SOURCE_URL),
                        Importance.MEDIUM, BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
                .define(BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM, BASIC_AUTH_USER_INFO_DOC)
                .define(BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM, BEARER_AUTH_TOKEN_DOC)
                .define(SSL_TRUSTSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM, SSL_TRUSTSTORE_LOCATION_DOC)
                .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, SSL_TRUSTSTORE_PASSWORD_DOC)
                .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, SSL_TRUSTSTORE_TYPE_DOC)
                .define(SSL_KEYSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM, SSL_KEYSTORE_LOCATION_DOC)
                .define(SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, SSL_KEYSTORE_PASSWORD_DOC)
                .define(SSL_KEYSTORE_TYPE, Type.STRING, "JKS", Importance.LOW, SSL_KEYSTORE_TYPE_DOC)
                .define(CONNECT_TIMEOUT_MS, Type.INT, 5_000, Range.atLeast(1), Importance.LOW, CONNECT_TIMEOUT_MS_DOC)
                .define(REQUEST_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW, REQUEST_TIMEOUT_MS_DOC)
                .define(MAX_RETRIES, Type.INT, 3, Range.atLeast(0), Importance.LOW, MAX_RETRIES_DOC)
                .define(RETRY_BACKOFF_MS, Type.LONG, 100L, Range.atLeast(0), Importance.LOW, RETRY_BACKOFF_MS_DOC)
                .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                        RETRY_BACKOFF_MAX_MS_DOC)
                .define(CACHE_CAPACITY, Type.INT, 1_000, Range.atLeast(1), Importance.LOW, CACHE_CAPACITY_DOC);
    }
}
