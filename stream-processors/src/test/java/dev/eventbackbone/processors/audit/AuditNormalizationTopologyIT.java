package dev.eventbackbone.processors.audit;

import static dev.eventbackbone.processors.audit.AuditDriver.RECEIVED;
import static dev.eventbackbone.processors.audit.AuditDriver.bytes;
import static dev.eventbackbone.processors.audit.AuditDriver.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.eventbackbone.contracts.audit.PersonalSeal;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.AuditActor;
import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditOutcome;
import dev.eventbackbone.contracts.events.AuditRawEvent;
import dev.eventbackbone.contracts.events.AuditRecord;
import dev.eventbackbone.contracts.events.AuditSeverity;
import dev.eventbackbone.contracts.events.AuditSubjectKey;
import dev.eventbackbone.contracts.events.RejectedEvent;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.contracts.registry.SchemaRegistryClient;
import dev.eventbackbone.embeddedkafka.EmbeddedKafkaExtension;
import dev.eventbackbone.processors.audit.AuditSettings.ActionMapping;
import dev.eventbackbone.processors.audit.AuditSettings.IpMode;
import dev.eventbackbone.processors.audit.AuditSettings.PrivacyPolicy;
import dev.eventbackbone.processors.audit.AuditSettings.SeverityRule;
import dev.eventbackbone.processors.audit.AuditSettings.TenantRules;
import dev.eventbackbone.registry.RegistryExtension;
import io.dropwizard.util.Duration;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every normalization rule, through the real topology in a TopologyTestDriver with real Avro serdes. */
@ExtendWith(EmbeddedKafkaExtension.class)
class AuditNormalizationTopologyIT {

    @RegisterExtension
    static final RegistryExtension registry = new RegistryExtension();

    static AuditSerdes serdes;

    @TempDir
    Path stateDir;

    private final List<AuditDriver> drivers = new ArrayList<>();

    @BeforeAll
    static void serdes() {
        serdes = AuditSerdes.on(SchemaRegistryClient.fromConfig(Map.of("schema.registry.url", registry.url())));
    }

    @AfterEach
    void closeDrivers() {
        drivers.forEach(AuditDriver::close);
    }

    private AuditDriver driver(Consumer<AuditSettings> adjust) {
        AuditSettings settings = new AuditSettings();
        adjust.accept(settings);
        AuditDriver driver = new AuditDriver(settings, serdes, stateDir.resolve("d" + drivers.size()));
        drivers.add(driver);
        return driver;
    }

    private AuditDriver driver() {
        return driver(settings -> { });
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "login, auth.login, -", "LOGIN_SUCCESS, auth.login, SUCCESS", "user_login, auth.login, -",
            "signin, auth.login, -", "sign_in, auth.login, -", "user.login, auth.login, -", "auth.login, auth.login, -",
            "login_failed, auth.login, FAILURE", "LoginFailed, auth.login, FAILURE", "failed_login, auth.login, FAILURE",
            "LOGIN_FAILURE, auth.login, FAILURE",
            "logout, auth.logout, -", "signout, auth.logout, -",
            "access_denied, authz.denied, DENIED", "AccessDenied, authz.denied, DENIED",
            "permission_denied, authz.denied, DENIED", "forbidden, authz.denied, DENIED",
            "file_uploaded, file.upload, -", "upload_file, file.upload, -", "file.upload, file.upload, -",
            "file_downloaded, file.download, -", "FileDeleted, file.delete, -", "view_file, file.view, -",
            "role_granted, role.grant, -", "grant_role, role.grant, -", "role_assigned, role.grant, -",
            "role_revoked, role.revoke, -", "permission_granted, permission.grant, -",
            "permission_revoked, permission.revoke, -",
            "user_created, user.create, -", "DeleteUser, user.delete, -", "user_updated, user.update, -",
            "password_changed, password.change, -", "reset-password, password.reset, -",
            "mfa_enabled, mfa.enable, -", "MFA_DISABLED, mfa.disable, -",
            "api_key_created, api_key.create, -", "revoke_api_key, api_key.revoke, -",
            "settings_updated, settings.update, -", "record_deleted, record.delete, -",
            "delete_resource, resource.delete, -"})
    void mapsEveryAliasFamilyToItsCanonicalAction(String raw, String canonical, AuditOutcome implied) {
        AuditRecord record = driver().normalize(event().setAction(raw).setOutcome(null).build());

        assertThat(record.getAction()).isEqualTo(canonical);
        assertThat(record.getActionRaw()).isEqualTo(raw);
        assertThat(record.getOutcome()).isEqualTo(implied == null ? AuditOutcome.UNKNOWN : implied);
        assertThat(record.getFlags().getUnknownAction()).isFalse();
    }

    @Test
    void keepsAnUnknownActionTokenizedAndFlagsIt() {
        AuditDriver driver = driver();

        AuditRecord record = driver.normalize(event().setAction("InvoiceExported to-CSV").build());

        assertThat(record.getAction()).isEqualTo("invoice_exported_to_csv");
        assertThat(record.getFlags().getUnknownAction()).isTrue();
        assertThat(driver.dlq.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"OK, SUCCESS", "allowed, SUCCESS", "true, SUCCESS", "Failed, FAILURE", "invalid, FAILURE",
            "blocked, DENIED", "Unauthorized, DENIED", "exception, ERROR", "errored, ERROR", "maybe, UNKNOWN"})
    void readsTheOutcomeWord(String word, AuditOutcome outcome) {
        assertThat(driver().normalize(event().setAction("file.upload").setOutcome(word).build()).getOutcome())
                .isEqualTo(outcome);
    }

    @Test
    void infersTheOutcomeFromTheActionWhenTheOutcomeSaysNothing() {
        AuditDriver driver = driver();

        assertThat(driver.normalize(event().setAction("LoginFailed").setOutcome(null).build()).getOutcome())
                .isEqualTo(AuditOutcome.FAILURE);
        assertThat(driver.normalize(event().setAction("LoginFailed").setOutcome("???").build()).getOutcome())
                .isEqualTo(AuditOutcome.FAILURE);
        assertThat(driver.normalize(event().setAction("LoginFailed").setOutcome("denied").build()).getOutcome())
                .as("the reported outcome wins over the implied one").isEqualTo(AuditOutcome.DENIED);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {"user, USER", "Human, USER", "customer, USER", "bot, SERVICE",
            "integration, SERVICE", "api_key, API_KEY", "token, API_KEY", "cron, SYSTEM", "internal, SYSTEM",
            "guest, ANONYMOUS", "unauthenticated, ANONYMOUS", "robot, UNKNOWN", "-, UNKNOWN"})
    void readsTheActorTypeOfAnActorRecord(String type, AuditActorType expected) {
        AuditRecord record = driver().normalize(event().setActor(AuditActor.newBuilder().setId(" u-7 ").setType(type)
                .setName("Ann").build()).build());

        assertThat(record.getActorType()).isEqualTo(expected);
        assertThat(record.getActorId()).isEqualTo("u-7");
        assertThat(record.getActorName()).isEqualTo("Ann");
    }

    @ParameterizedTest
    @CsvSource({"anonymous, ANONYMOUS", "guest, ANONYMOUS", "-, ANONYMOUS", "system, SYSTEM",
            "system:backup, SYSTEM", "svc:billing, SERVICE", "service:billing, SERVICE", "svc-billing, SERVICE",
            "key:k-1, API_KEY", "apikey:k-1, API_KEY", "user:42, USER", "42, UNKNOWN"})
    void readsTheActorTypeOfABareActorId(String actor, AuditActorType expected) {
        AuditDriver driver = driver();
        AuditRecord record = driver.normalize(event().setActor(actor).build());

        assertThat(record.getActorType()).isEqualTo(expected);
        assertThat(record.getActorId()).isEqualTo(actor);
        assertThat(record.getActorName()).isNull();
    }

    @Test
    void readsEpochSecondsEpochMillisAndIsoTimes() {
        AuditDriver driver = driver();
        Instant occurred = Instant.parse("2024-05-01T11:59:30Z");

        for (Object raw : List.of(occurred.getEpochSecond(), occurred.toEpochMilli(), "2024-05-01T13:59:30+02:00",
                "2024-05-01T11:59:30Z", String.valueOf(occurred.getEpochSecond()))) {
            AuditRecord record = driver.normalize(event().setOccurredAt(raw).build());
            assertThat(record.getOccurredAt()).as("occurredAt %s", raw).isEqualTo(occurred);
            assertThat(record.getReceivedAt()).isEqualTo(RECEIVED);
            assertThat(record.getFlags().getOccurredAtInferred()).isFalse();
            assertThat(record.getFlags().getOccurredAtInFuture()).isFalse();
        }
    }

    @Test
    void fallsBackToReceivedAtWhenOccurredAtIsAbsentOrUnreadable() {
        AuditDriver driver = driver();

        for (String raw : new String[] {null, "yesterday", "2024-05-01T11:59:30"}) {
            AuditRecord record = driver.normalize(event().setOccurredAt(raw).build());
            assertThat(record.getOccurredAt()).as("occurredAt %s", raw).isEqualTo(RECEIVED);
            assertThat(record.getFlags().getOccurredAtInferred()).isTrue();
        }
    }

    @Test
    void keepsAFutureTimeButFlagsItBeyondTheClockSkew() {
        AuditDriver driver = driver(settings -> settings.setClockSkew(Duration.minutes(5)));

        AuditRecord withinSkew = driver.normalize(event().setOccurredAt(RECEIVED.plusSeconds(240).toString()).build());
        AuditRecord future = driver.normalize(event().setOccurredAt(RECEIVED.plusSeconds(600).toEpochMilli()).build());

        assertThat(withinSkew.getFlags().getOccurredAtInFuture()).isFalse();
        assertThat(future.getOccurredAt()).isEqualTo(RECEIVED.plusSeconds(600));
        assertThat(future.getFlags().getOccurredAtInFuture()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"role_granted, success, HIGH", "grant_role, denied, CRITICAL", "permission_revoked, denied, CRITICAL",
            "api_key_created, success, HIGH", "mfa_disabled, success, HIGH", "user_deleted, success, HIGH",
            "login, failure, WARNING", "file_upload, denied, WARNING", "file_deleted, success, WARNING",
            "file_upload, error, NOTICE", "password_reset, success, NOTICE", "file_upload, success, INFO",
            "login, success, INFO"})
    void assignsTheSeverityOfTheFirstMatchingRule(String action, String outcome, AuditSeverity severity) {
        assertThat(driver().normalize(event().setAction(action).setOutcome(outcome).build()).getSeverity())
                .isEqualTo(severity);
    }

    @Test
    void triesATenantsSeverityRulesFirst() {
        AuditDriver driver = driver(settings -> settings.getTenants().put("globex", rules(rules ->
                rules.getSeverity().add(new SeverityRule("file.*", null, AuditSeverity.HIGH)))));

        AuditRecord globex = driver.normalize(event().setTenantId("globex").setAction("file_downloaded").build());
        AuditRecord acme = driver.normalize(event().setAction("file_downloaded").build());

        assertThat(globex.getSeverity()).isEqualTo(AuditSeverity.HIGH);
        assertThat(driver.alerts.readValue().getEventId()).isEqualTo(globex.getEventId());
        assertThat(acme.getSeverity()).isEqualTo(AuditSeverity.INFO);
        assertThat(driver.alerts.isEmpty()).isTrue();
    }

    @Test
    void extendsTheTaxonomyPerTenant() {
        AuditDriver driver = driver(settings -> settings.getTenants().put("globex", rules(rules -> {
            rules.getActions().put("SessionOpened", ActionMapping.of("auth.login"));
            rules.getActions().put("logon_rejected", new ActionMapping("auth.login", AuditOutcome.FAILURE));
            rules.getActions().put("invoice_paid", ActionMapping.of("billing.pay"));
        })));

        AuditRecord opened = driver.normalize(event().setTenantId("globex").setAction("session_opened").build());
        AuditRecord rejected = driver.normalize(event().setTenantId("globex").setAction("LogonRejected")
                .setOutcome(null).build());
        AuditRecord canonical = driver.normalize(event().setTenantId("globex").setAction("billing.pay").build());
        AuditRecord otherTenant = driver.normalize(event().setAction("SessionOpened").build());

        assertThat(opened.getAction()).isEqualTo("auth.login");
        assertThat(rejected.getAction()).isEqualTo("auth.login");
        assertThat(rejected.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
        assertThat(canonical.getAction()).isEqualTo("billing.pay");
        assertThat(canonical.getFlags().getUnknownAction()).isFalse();
        assertThat(otherTenant.getAction()).isEqualTo("session_opened");
        assertThat(otherTenant.getFlags().getUnknownAction()).isTrue();
    }

    @Test
    void truncatesIpAddressesByDefault() {
        AuditDriver driver = driver();

        assertThat(driver.normalize(event().setIp("203.0.113.77").build()).getIp()).isEqualTo("203.0.113.0");
        assertThat(driver.normalize(event().setIp("2001:db8:85a3:8d3:1319:8a2e:370:7348").build()).getIp())
                .isEqualTo("2001:db8:85a3::");
        assertThat(driver.normalize(event().setIp("not-an-address.example").build()).getIp())
                .as("what is no address is dropped, never kept in full").isNull();
    }

    @Test
    void prefersTheTopLevelIpOverTheActors() {
        AuditDriver driver = driver(settings -> settings.getPrivacy().getDefaults().setIp(IpMode.KEEP));
        AuditActor actor = AuditActor.newBuilder().setId("u-1").setIp("198.51.100.9").build();

        assertThat(driver.normalize(event().setActor(actor).setIp("203.0.113.77").build()).getIp())
                .isEqualTo("203.0.113.77");
        assertThat(driver.normalize(event().setActor(actor).build()).getIp()).isEqualTo("198.51.100.9");
    }

    @Test
    void hashesIpAddressesWithTheTenantsKey() throws Exception {
        PrivacyPolicy hashing = new PrivacyPolicy();
        hashing.setIp(IpMode.HASH);
        hashing.setIpHashKey("s3cret");
        AuditDriver driver = driver(settings -> settings.getPrivacy().getTenants().put("globex", hashing));

        AuditRecord globex = driver.normalize(event().setTenantId("globex").setIp("203.0.113.77").build());
        AuditRecord acme = driver.normalize(event().setIp("203.0.113.77").build());

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(bytes("s3cret"), "HmacSHA256"));
        assertThat(globex.getIp()).isEqualTo("hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(bytes("203.0.113.77"))));
        assertThat(acme.getIp()).isEqualTo("203.0.113.0");
    }

    @Test
    void refusesToHashIpAddressesWithoutAKey() {
        AuditSettings settings = new AuditSettings();
        settings.getPrivacy().getDefaults().setIp(IpMode.HASH);

        assertThatThrownBy(() -> AuditNormalizationTopology.build(settings, serdes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ipHashKey");
    }

    @Test
    void keepsOnlyAHashOfTheActorsEmail() throws Exception {
        AuditRecord record = driver().normalize(event().setActor(AuditActor.newBuilder().setId("u-1")
                .setEmail(" Ann.Lee@Example.COM ").build()).build());

        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes("ann.lee@example.com"));
        assertThat(record.getActorEmailHash()).isEqualTo(HexFormat.of().formatHex(digest));
        assertThat(record.toString()).doesNotContainIgnoringCase("example.com");
    }

    @Test
    void replacesAnEmailUsedAsTheActorIdWithItsHash() throws Exception {
        AuditDriver driver = driver();
        driver.send(event().setActor("Ann.Lee@Example.com").build(), RECEIVED);

        TestRecord<String, AuditRecord> out = driver.events.readRecord();
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes("ann.lee@example.com")));
        assertThat(out.value().getActorId()).isEqualTo("email-sha256:" + hash);
        assertThat(driver.opened(out.value()).getActorEmailHash()).isEqualTo(hash);
        assertThat(out.value().getActorType()).isEqualTo(AuditActorType.USER);
        assertThat(out.key()).isEqualTo("acme");
        assertThat(out.value().toString()).doesNotContainIgnoringCase("example.com");
    }

    @Test
    void sealsTheActorsPersonalFieldsWithOneKeyPerSubjectPublishedOnce() {
        AuditDriver driver = driver();
        AuditActor ann = AuditActor.newBuilder().setId("u-1").setName("Ann").setEmail("ann@example.com").build();

        AuditRecord first = driver.logged(event().setActor(ann).setIp("203.0.113.77").setUserAgent("curl/8").build());
        AuditRecord second = driver.logged(event().setActor(ann).build());
        AuditRecord other = driver.logged(event().setActor(AuditActor.newBuilder().setId("u-2").setName("Bo").build())
                .build());

        assertThat(first.getActorName()).isNull();
        assertThat(first.getIp()).isNull();
        assertThat(first.getUserAgent()).isNull();
        assertThat(first.getActorEmailHash()).isNull();
        assertThat(first.getActorId()).as("the pseudonym stays readable").isEqualTo("u-1");
        assertThat(second.getSealed().getKeyId()).isEqualTo(first.getSealed().getKeyId());
        assertThat(other.getSealed().getKeyId()).isNotEqualTo(first.getSealed().getKeyId());
        List<KeyValue<String, AuditSubjectKey>> keys = driver.subjectKeys.readKeyValuesToList();
        assertThat(keys).extracting(key -> key.key).containsExactly(first.getSealed().getKeyId(),
                other.getSealed().getKeyId());
        assertThat(keys).extracting(key -> key.value.getSubject()).containsExactly("u-1", "u-2");
    }

    @Test
    void opensWithThePublishedKeyToWhatNormalizationMade() {
        AuditDriver driver = driver();
        AuditActor ann = AuditActor.newBuilder().setId("u-1").setName("Ann").build();

        AuditRecord record = driver.normalize(event().setActor(ann).setIp("203.0.113.77").setUserAgent("curl/8").build());

        assertThat(record.getActorName()).isEqualTo("Ann");
        assertThat(record.getIp()).isEqualTo("203.0.113.0");
        assertThat(record.getUserAgent()).isEqualTo("curl/8");
    }

    @Test
    void leavesARecordWithoutPersonalFieldsUnsealedAndMakesNoKey() {
        AuditDriver driver = driver();

        AuditRecord record = driver.logged(event().setActor("svc:billing").build());

        assertThat(record.getSealed()).isNull();
        assertThat(driver.subjectKeys.isEmpty()).isTrue();
    }

    @Test
    void erasingASubjectDestroysItsKeyAndLogsWhenWithoutTouchingTheRecords() {
        AuditDriver driver = driver();
        AuditActor ann = AuditActor.newBuilder().setId("u-1").setName("Ann").build();
        AuditRecord before = driver.logged(event().setActor(ann).build());
        String keyId = before.getSealed().getKeyId();
        driver.subjectKeys.readKeyValuesToList();

        driver.erase("acme", "u-1", "req-1");

        List<KeyValue<String, AuditSubjectKey>> tombstones = driver.subjectKeys.readKeyValuesToList();
        assertThat(tombstones).hasSize(1);
        assertThat(tombstones.get(0).key).isEqualTo(keyId);
        assertThat(tombstones.get(0).value).isNull();
        TestRecord<String, AuditRecord> erasure = driver.events.readRecord();
        assertThat(erasure.key()).as("in the tenant's log, on its partition").isEqualTo("acme");
        assertThat(erasure.value().getAction()).isEqualTo(PersonalSeal.ERASED_ACTION);
        assertThat(erasure.value().getActorId()).isEqualTo("key-dpo");
        assertThat(erasure.value().getResource().getType()).isEqualTo("subject");
        assertThat(erasure.value().getResource().getId()).isEqualTo("u-1");
        assertThat(erasure.value().getMetadata()).containsEntry("keyId", keyId).containsEntry("requestId", "req-1")
                .containsEntry("reason", "ticket 42");
        assertThat(erasure.value().getSealed()).isNull();

        AuditRecord after = driver.logged(event().setActor(ann).build());
        assertThat(after.getSealed().getKeyId()).as("later records get a new key").isNotEqualTo(keyId);
    }

    @Test
    void anErasureAskedForByEmailAddressDestroysTheKeyOfItsHash() {
        AuditDriver driver = driver();
        AuditRecord before = driver.logged(event().setActor(AuditActor.newBuilder().setId("Ann.Lee@Example.com")
                .setName("Ann").build()).build());
        driver.subjectKeys.readKeyValuesToList();

        driver.erase("acme", " ann.lee@example.COM ", "req-3");

        assertThat(driver.subjectKeys.readKeyValuesToList()).singleElement()
                .satisfies(tombstone -> assertThat(tombstone.key).isEqualTo(before.getSealed().getKeyId()));
        assertThat(driver.events.readValue().getResource().getId()).isEqualTo(before.getActorId())
                .startsWith("email-sha256:");
    }

    @Test
    void erasingASubjectThisTaskNeverSawChangesNothing() {
        AuditDriver driver = driver();

        driver.erase("acme", "u-unknown", "req-2");

        assertThat(driver.events.isEmpty()).isTrue();
        assertThat(driver.subjectKeys.isEmpty()).isTrue();
        assertThat(driver.dlq.isEmpty()).isTrue();
    }

    @Test
    void refusesAServiceEventThatClaimsToBeAnErasure() {
        AuditDriver driver = driver();

        driver.send(event().setAction("audit.subject_erased").setMetadata(Map.of("keyId", "0f")).build());

        RejectedEvent rejection = driver.dlq.readValue();
        assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.INVALID_VALUE);
        assertThat(rejection.getFieldPath()).isEqualTo("action");
        assertThat(driver.events.isEmpty()).isTrue();
    }

    @Test
    void deadLettersAnErasureRequestItCannotRead() {
        AuditDriver driver = driver();

        driver.erasures.pipeInput(bytes("acme:u-1"), bytes("{\"subject\":\"u-1\"}"));

        RejectedEvent rejection = driver.dlq.readValue();
        assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
        assertThat(rejection.getReason()).contains("POST /v1/audit/erasures");
        assertThat(rejection.getSourceTopic()).isEqualTo(TopicCatalog.AUDIT_ERASURES);
    }

    @Test
    void writesTheRecordKeyedByTenantWithTheGatewaysHeadersAndTheInputTime() {
        AuditDriver driver = driver();
        AuditRawEvent event = event().setActor("svc:billing").setMetadata(Map.of("invoice", "I-9")).build();
        Instant time = RECEIVED.plusSeconds(3);

        driver.send(event, time);

        TestRecord<String, AuditRecord> out = driver.events.readRecord();
        assertThat(out.key()).as("one partition per tenant: its log's order").isEqualTo("acme");
        assertThat(out.getRecordTime()).isEqualTo(time);
        assertThat(header(out, "event-id")).isEqualTo(event.getEventId());
        assertThat(header(out, "tenant")).isEqualTo("acme");
        assertThat(header(out, "source")).isEqualTo("billing-api");
        assertThat(header(out, "traceparent")).startsWith("00-4bf92f35");
        assertThat(out.headers().lastHeader("authorization")).isNull();
        assertThat(out.value().getMetadata()).containsEntry("invoice", "I-9");
        assertThat(out.value().getResource().getId()).isEqualTo("s-1");
    }

    @Test
    void deadLettersUndecodableBytesWithEverythingNeededToReplayThem() {
        AuditDriver driver = driver();
        byte[] garbage = bytes("{\"not\":\"avro\"}");
        RecordHeaders headers = new RecordHeaders();
        headers.add("tenant", bytes("acme"));
        headers.add("authorization", bytes("Bearer secret"));

        driver.raw.pipeInput(new TestRecord<>(bytes("acme:u-1"), garbage, headers, RECEIVED));

        TestRecord<byte[], RejectedEvent> out = driver.dlq.readRecord();
        RejectedEvent rejection = out.value();
        assertThat(out.key()).isEqualTo(bytes("acme:u-1"));
        assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.UNDECODABLE);
        assertThat(rejection.getReason()).contains("magic byte");
        assertThat(bytesOf(rejection.getOriginalValue())).isEqualTo(garbage);
        assertThat(bytesOf(rejection.getOriginalKey())).isEqualTo(bytes("acme:u-1"));
        assertThat(rejection.getOriginalHeaders()).isEqualTo(Map.of("tenant", "acme"));
        assertThat(rejection.getTenantId()).isEqualTo("acme");
        assertThat(rejection.getEventId()).isNull();
        assertThat(rejection.getSourceTopic()).isEqualTo(TopicCatalog.AUDIT_RAW);
        assertThat(rejection.getSourcePartition()).isZero();
        assertThat(rejection.getSourceOffset()).isZero();
        assertThat(rejection.getRejectedBy()).isEqualTo("audit-normalizer");
        assertThat(rejection.getStream()).isEqualTo("audit");
        assertThat(driver.events.isEmpty()).isTrue();
    }

    @Test
    void deadLettersAValueWhoseSchemaTheRegistryDoesNotKnow() {
        AuditDriver driver = driver();
        byte[] unknownSchema = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(42).array();

        driver.raw.pipeInput(bytes("acme:u-1"), unknownSchema);

        assertThat(driver.dlq.readValue().getReasonCode()).isEqualTo(RejectionReason.UNKNOWN_SCHEMA);
    }

    @Test
    void deadLettersABlankActorIdNamingTheField() {
        AuditDriver driver = driver();
        AuditRawEvent event = event().setActor(AuditActor.newBuilder().setId("  ").build()).build();

        driver.send(event);

        RejectedEvent rejection = driver.dlq.readValue();
        assertThat(rejection.getReasonCode()).isEqualTo(RejectionReason.INVALID_VALUE);
        assertThat(rejection.getFieldPath()).isEqualTo("$.actor.id");
        assertThat(rejection.getEventId()).isEqualTo(event.getEventId());
        assertThat(rejection.getTenantId()).isEqualTo("acme");
        assertThat(rejection.getOriginalHeaders()).containsKeys("event-id", "tenant", "source", "traceparent")
                .doesNotContainKey("authorization");
        assertThat(driver.events.isEmpty()).isTrue();
    }

    @Test
    void dropsARetriedEventWithinTheDedupeWindowOnly() {
        AuditDriver driver = driver(settings -> settings.setDedupeWindow(Duration.days(7)));
        AuditRawEvent event = event().build();

        driver.send(event, RECEIVED);
        driver.send(event, RECEIVED.plusSeconds(60));
        driver.send(event().setTenantId("globex").setEventId(event.getEventId()).build(), RECEIVED.plusSeconds(61));

        assertThat(driver.events.readValuesToList()).extracting(AuditRecord::getTenantId)
                .as("the same id of another tenant is another event").containsExactly("acme", "globex");
        assertThat(metric(driver, "duplicates-dropped-total")).isEqualTo(1.0);

        driver.send(event, RECEIVED.plus(java.time.Duration.ofDays(8)));

        assertThat(driver.events.readValuesToList()).extracting(AuditRecord::getEventId)
                .containsExactly(event.getEventId());
    }

    @Test
    void copiesSevereRecordsToAlerts() {
        AuditDriver driver = driver();

        AuditRecord grant = driver.normalize(event().setAction("role_granted").build());
        driver.normalize(event().setAction("file_uploaded").build());

        TestRecord<String, AuditRecord> alert = driver.alerts.readRecord();
        assertThat(alert.key()).isEqualTo("acme:u-1");
        assertThat(alert.value()).isEqualTo(grant);
        assertThat(driver.alerts.isEmpty()).isTrue();
    }

    @Test
    void alertsOnceWhenTheFifthFailedLoginWithinFiveMinutesArrives() {
        AuditDriver driver = driver();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            AuditRawEvent failure = failedLogin(RECEIVED.plusSeconds(30L * i));
            if (i < 5) {
                ids.add(failure.getEventId());
            }
            driver.send(failure);
            if (i == 3) {
                assertThat(driver.alerts.isEmpty()).as("no alert after 4 failures").isTrue();
            }
            if (i == 4) {
                TestRecord<String, AuditRecord> alert = driver.alerts.readRecord();
                assertThat(alert.key()).isEqualTo("acme:u-1");
                AuditRecord burst = alert.value();
                assertThat(burst.getAction()).isEqualTo("security.failed_login_burst");
                assertThat(burst.getSeverity()).isEqualTo(AuditSeverity.HIGH);
                assertThat(burst.getOutcome()).isEqualTo(AuditOutcome.FAILURE);
                assertThat(burst.getActorId()).isEqualTo("u-1");
                assertThat(burst.getResource().getType()).isEqualTo("actor");
                assertThat(burst.getResource().getId()).isEqualTo("u-1");
                assertThat(burst.getMetadata()).containsEntry("failures", "5").containsEntry("windowSeconds", "300")
                        .containsEntry("firstFailureAt", "2024-05-01T12:00:00Z")
                        .containsEntry("lastFailureAt", "2024-05-01T12:02:00Z")
                        .containsEntry("eventIds", String.join(",", ids));
            }
        }
        assertThat(driver.alerts.isEmpty()).as("no second alert for the 6th failure").isTrue();
        assertThat(driver.events.readValuesToList()).hasSize(6);
    }

    @Test
    void derivesTheSameAlertIdWhenTheSameFailuresAreProcessedAgain() {
        List<AuditRawEvent> burst = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            burst.add(failedLogin(RECEIVED.plusSeconds(10L * i)));
        }
        AuditDriver first = driver();
        AuditDriver again = driver();

        burst.forEach(first::send);
        burst.forEach(again::send);

        String id = first.alerts.readValue().getEventId();
        assertThat(again.alerts.readValue().getEventId()).isEqualTo(id).isNotIn(burst.stream()
                .map(AuditRawEvent::getEventId).toList());
    }

    @Test
    void doesNotAlertOnFailuresSpreadBeyondTheWindow() {
        AuditDriver driver = driver();

        for (int i = 0; i < 8; i++) {
            driver.send(failedLogin(RECEIVED.plusSeconds(90L * i)));
        }

        assertThat(driver.alerts.isEmpty()).isTrue();
        assertThat(driver.events.readValuesToList()).hasSize(8);
    }

    private static AuditRawEvent failedLogin(Instant occurredAt) {
        return event().setAction("LoginFailed").setOutcome(null).setOccurredAt(occurredAt.toString()).build();
    }

    private static TenantRules rules(Consumer<TenantRules> adjust) {
        TenantRules rules = new TenantRules();
        adjust.accept(rules);
        return rules;
    }

    private static String header(TestRecord<?, ?> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static double metric(AuditDriver driver, String name) {
        return driver.driver.metrics().entrySet().stream()
                .filter(entry -> entry.getKey().name().equals(name)
                        && entry.getKey().group().contains("audit-normalizer"))
                .map(entry -> (Double) entry.getValue().metricValue())
                .reduce(0.0, Double::sum);
    }
}
