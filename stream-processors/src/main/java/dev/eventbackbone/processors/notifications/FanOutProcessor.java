package dev.eventbackbone.processors.notifications;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbackbone.contracts.catalog.TopicCatalog;
import dev.eventbackbone.contracts.events.DeliveryResult;
import dev.eventbackbone.contracts.events.DeliveryStatus;
import dev.eventbackbone.contracts.events.NotificationChannel;
import dev.eventbackbone.contracts.events.NotificationMessage;
import dev.eventbackbone.contracts.events.NotificationPriority;
import dev.eventbackbone.contracts.events.NotificationRequest;
import dev.eventbackbone.contracts.events.RecipientPreferences;
import dev.eventbackbone.contracts.events.RejectionReason;
import dev.eventbackbone.service.DeadLetters;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fan-out of one partition (docs/notifications.md): keeps the recipients' preferences, turns
 * each request into one message per channel, holds every message in a queue store until it is
 * due, and releases it by punctuation in priority order within this partition's share of each
 * provider's rate and within the recipient's limits. Retries come back here to wait their turn
 * the same way; delivery results come back to fill the ledger.
 */
final class FanOutProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(FanOutProcessor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final NotificationPriority[] RELEASE_ORDER = {NotificationPriority.CRITICAL,
            NotificationPriority.HIGH, NotificationPriority.NORMAL, NotificationPriority.LOW};
    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);
    private static final Duration AWAITING_CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final int SWEEP_SLICE = 1_000;
    private static final int DECODED_PREFERENCES = 50_000;
    private static final String STREAM = "notifications";
    /** Bounds one pass's work on messages that only move to a later time or end (over a limit, expired). */
    private static final int MAX_DEFERRALS_PER_PASS = 1_000;

    private final NotificationSettings settings;
    private final NotificationSerdes serdes;
    private final Templates templates;
    private final int partitions;
    private final long dedupeMillis;
    private final long preferencesWaitMillis;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, RecipientPreferences> preferences;
    private KeyValueStore<String, NotificationMessage> queue;
    private KeyValueStore<String, long[]> recipientSends;
    private KeyValueStore<String, Ledger> ledger;
    /** Requests for recipients without preferences, as read, keyed {@code <recipient key>\0<arrival>\0<eventId>}. */
    private KeyValueStore<String, byte[]> awaitingPreferences;
    private KeyValueStore<String, String> disabledEndpoints;
    private final Map<NotificationChannel, Bucket> buckets = new EnumMap<>(NotificationChannel.class);
    private String ledgerCursor;
    private final Map<String, Optional<RecipientPreferences>> decodedPreferences = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<RecipientPreferences>> eldest) {
            return size() > DECODED_PREFERENCES;
        }
    };
    private String sendsCursor;
    /** Messages waiting per channel: while none wait, a message that may go now skips the queue store. */
    private final Map<NotificationChannel, Long> waiting = new EnumMap<>(NotificationChannel.class);

    FanOutProcessor(NotificationSettings settings, NotificationSerdes serdes, Templates templates, int partitions) {
        this.settings = settings;
        this.serdes = serdes;
        this.templates = templates;
        this.partitions = partitions;
        this.dedupeMillis = settings.getDedupeWindow().toMilliseconds();
        this.preferencesWaitMillis = settings.getPreferencesWait().toMilliseconds();
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        preferences = context.getStateStore(NotificationTopology.PREFERENCES_STORE);
        queue = context.getStateStore(NotificationTopology.QUEUE_STORE);
        recipientSends = context.getStateStore(NotificationTopology.RECIPIENT_SENDS_STORE);
        ledger = context.getStateStore(NotificationTopology.LEDGER_STORE);
        disabledEndpoints = context.getStateStore(NotificationTopology.DISABLED_ENDPOINTS_STORE);
        awaitingPreferences = context.getStateStore(NotificationTopology.AWAITING_PREFERENCES_STORE);
        for (NotificationChannel channel : NotificationTopology.CHANNELS) {
            buckets.put(channel, shareOf(settings.getChannels().get(channel), partitions, context::currentSystemTimeMs));
        }
        // init runs again when a task is revived after an aborted transaction: nothing decoded before may stay.
        decodedPreferences.clear();
        NotificationTopology.CHANNELS.forEach(channel -> waiting.put(channel, 0L));
        try (KeyValueIterator<String, NotificationMessage> all = queue.all()) {
            while (all.hasNext()) {
                waiting.merge(all.next().value.getChannel(), 1L, Long::sum);
            }
        }
        context.schedule(settings.getReleaseInterval().toJavaDuration(), PunctuationType.WALL_CLOCK_TIME,
                this::release);
        context.schedule(SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::sweep);
        if (preferencesWaitMillis > 0) {
            context.schedule(AWAITING_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::stopAwaiting);
        }
    }

    /**
     * This partition's share of a provider's rate: the rate divided by the partitions, so all
     * partitions together never release faster than the limit, whichever instances run them. It
     * may hold up to a second of its share (or its share of the burst, if more): a punctuation that
     * comes late then releases what accrued instead of losing it. The delivery workers' own pacing
     * keeps bursts at the provider within the configured burst.
     */
    static Bucket shareOf(NotificationSettings.ChannelLimit limit, int partitions, LongSupplier clockMillis) {
        double perSecond = limit.getRate() / partitions;
        long perHour = Math.max(1, Math.round(perSecond * 3600));
        long burst = Math.max(Math.max(1, limit.getBurst() / partitions), (long) Math.ceil(perSecond));
        // The task's clock, not the JVM's: punctuation and tests then agree on what time it is.
        TimeMeter clock = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clockMillis.getAsLong() * 1_000_000;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
        return Bucket.builder().withCustomTimePrecision(clock).addLimit(Bandwidth.builder().capacity(burst)
                .refillGreedy(perHour, Duration.ofHours(1)).initialTokens(burst).build()).build();
    }

    /**
     * The recipient's preferences, decoded once: every change of them passes through this task
     * (the topic is co-partitioned), so the decoded copies never go stale.
     */
    private RecipientPreferences preferencesOf(String recipientKey) {
        return decodedPreferences.computeIfAbsent(recipientKey, key -> Optional.ofNullable(preferences.get(key)))
                .orElse(null);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(meta -> meta.topic()).orElse(TopicCatalog.NOTIFICATIONS_REQUESTS);
        switch (topic) {
            case TopicCatalog.NOTIFICATIONS_PREFERENCES -> onPreferences(record);
            case TopicCatalog.NOTIFICATIONS_RETRY -> onRetry(record);
            case TopicCatalog.NOTIFICATIONS_RESULTS -> onResult(record);
            default -> onRequest(record);
        }
    }

    private void onPreferences(Record<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        if (record.value() == null) {
            if (key != null) {
                preferences.delete(key);
                decodedPreferences.remove(key);
            }
            return;
        }
        RecipientPreferences update;
        try {
            update = serdes.preferences().deserializer().deserialize(TopicCatalog.NOTIFICATIONS_PREFERENCES,
                    record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        Optional<Preferences.Problem> problem = Preferences.problemOf(update);
        if (problem.isPresent()) {
            deadLetter(record, update.getEventId(), update.getTenantId(), RejectionReason.INVALID_VALUE,
                    "Preferences of " + update.getRecipientId() + " not applied: " + problem.get().message(),
                    problem.get().field(), null);
            return;
        }
        String recipient = recipientKey(update.getTenantId(), update.getRecipientId());
        preferences.put(recipient, update);
        decodedPreferences.put(recipient, Optional.of(update));
        releaseAwaiting(recipient);
    }

    private void onRequest(Record<byte[], byte[]> record) {
        NotificationRequest request;
        try {
            if (record.value() == null) {
                throw new SerializationException("The record has no value (a tombstone); notifications.requests"
                        + " takes NotificationRequest records.");
            }
            request = serdes.requests().deserializer().deserialize(TopicCatalog.NOTIFICATIONS_REQUESTS, record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        String recipientKey = recipientKey(request.getTenantId(), request.getRecipientId());
        RecipientPreferences prefs = request.getRecipientId() == null ? null : preferencesOf(recipientKey);
        if (prefs == null && request.getRecipientId() != null && preferencesWaitMillis > 0) {
            // Kafka Streams orders the co-partitioned inputs only by what it has fetched: preferences
            // written just before this request may not be here yet. The request waits for them.
            awaitingPreferences.put(recipientKey + '\0' + QueueKeys.digits(now()) + '\0' + request.getEventId(),
                    record.value());
            return;
        }
        fanOut(record, request, recipientKey, prefs);
    }

    /** Validates, deduplicates and fans out a request whose recipient's preferences are known (or waited for). */
    private void fanOut(Record<byte[], byte[]> record, NotificationRequest request, String recipientKey,
                        RecipientPreferences prefs) {
        Optional<Preferences.Problem> problem = problemOf(request, localeOf(request, prefs));
        if (problem.isPresent()) {
            deadLetter(record, request.getEventId(), request.getTenantId(), RejectionReason.INVALID_VALUE,
                    problem.get().message(), problem.get().field(), null);
            return;
        }
        String dedupeKey = request.getTenantId() + ":" + request.getEventId();
        // The ledger entry is the request's mark: kept for the dedupe window, so a repeat finds it.
        if (ledger.get(dedupeKey) != null) {
            LOG.debug("Request {} was fanned out before; not again", dedupeKey);
            return;
        }
        Set<NotificationChannel> channels = new LinkedHashSet<>(request.getChannels());
        if (channels.isEmpty()) {
            for (NotificationChannel channel : NotificationTopology.CHANNELS) {
                if (Preferences.addressOn(prefs, channel) != null) {
                    channels.add(channel);
                }
            }
        }
        if (channels.isEmpty()) {
            deadLetter(record, request.getEventId(), request.getTenantId(), RejectionReason.INVALID_VALUE,
                    "Recipient " + request.getRecipientId() + " has no address on any channel and the request names"
                            + " no channel: set the recipient's preferences (stream 'preferences') first.",
                    "channels", null);
            return;
        }
        long now = now();
        Ledger entry = new Ledger();
        entry.tenantId = request.getTenantId();
        entry.recipientId = request.getRecipientId();
        entry.eventId = request.getEventId();
        entry.receivedAt = request.getReceivedAt().toEpochMilli();
        for (NotificationChannel channel : channels) {
            String messageId = request.getEventId() + ":" + channel.name().toLowerCase();
            Ledger.Channel line = new Ledger.Channel();
            line.messageId = messageId;
            line.idempotencyKey = IdempotencyKeys.of(request.getTenantId(), request.getEventId(),
                    request.getRecipientId(), channel.name());
            line.status = "QUEUED";
            line.destination = Preferences.addressOn(prefs, channel);
            entry.channels.put(channel.name(), line);
            String address = Preferences.addressOn(prefs, channel);
            Optional<String> optOut = optOut(prefs, channel, request.getCategory());
            if (optOut.isPresent()) {
                result(request, messageId, channel, DeliveryStatus.SUPPRESSED, null, optOut.get(), now);
            } else if (address == null) {
                result(request, messageId, channel, DeliveryStatus.FAILED, "no_address", "Recipient "
                        + request.getRecipientId() + " has no " + channel.name().toLowerCase() + " address.", now);
            } else {
                NotificationMessage message = message(request, prefs, channel, messageId, address, now);
                if (!sendAtOnce(message, now)) {
                    enqueue(message);
                }
            }
        }
        ledger.put(dedupeKey, entry);
    }

    /** Fans out, oldest first, the requests that waited for the recipient's preferences. */
    private void releaseAwaiting(String recipientKey) {
        List<KeyValue<String, byte[]>> held = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> waiting = awaitingPreferences.prefixScan(recipientKey + '\0',
                new StringSerializer())) {
            waiting.forEachRemaining(held::add);
        }
        held.forEach(this::fanOutAwaited);
    }

    /** Fans out, without preferences, the requests that waited for them longer than the wait. */
    private void stopAwaiting(long now) {
        String due = QueueKeys.digits(now - preferencesWaitMillis);
        List<KeyValue<String, byte[]>> expired = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> waiting = awaitingPreferences.all()) {
            waiting.forEachRemaining(entry -> {
                String[] parts = entry.key.split("\0", -1);
                if (parts.length >= 3 && parts[parts.length - 2].compareTo(due) <= 0) {
                    expired.add(entry);
                }
            });
        }
        expired.forEach(this::fanOutAwaited);
    }

    private void fanOutAwaited(KeyValue<String, byte[]> held) {
        awaitingPreferences.delete(held.key);
        NotificationRequest request = serdes.requests().deserializer().deserialize(
                TopicCatalog.NOTIFICATIONS_REQUESTS, held.value);
        String recipientKey = recipientKey(request.getTenantId(), request.getRecipientId());
        Record<byte[], byte[]> original = new Record<>(recipientKey.getBytes(StandardCharsets.UTF_8), held.value,
                now());
        fanOut(original, request, recipientKey, preferencesOf(recipientKey));
    }

    private static String localeOf(NotificationRequest request, RecipientPreferences prefs) {
        return request.getLocale() != null ? request.getLocale() : prefs == null ? null : prefs.getLocale();
    }

    private Optional<Preferences.Problem> problemOf(NotificationRequest request, String locale) {
        if (blank(request.getTenantId()) || blank(request.getRecipientId()) || blank(request.getEventId())) {
            return Optional.of(new Preferences.Problem("recipientId",
                    "recipientId is required; the gateway fills tenantId and eventId."));
        }
        if (request.getChannels().contains(NotificationChannel.UNKNOWN)) {
            return Optional.of(new Preferences.Problem("channels",
                    "channels names a channel this version does not know; use EMAIL, SMS, PUSH or WEBHOOK."));
        }
        if (request.getTemplateId() == null && blank(request.getBody())) {
            return Optional.of(new Preferences.Problem("body", "Either templateId or body is required."));
        }
        if (request.getTemplateId() != null && !templates.has(request.getTenantId(), request.getTemplateId(), locale)) {
            return Optional.of(new Preferences.Problem("templateId", "Tenant " + request.getTenantId()
                    + " has no template '" + request.getTemplateId() + "' for locale " + locale
                    + " (nor a shared one, nor one without a locale)."));
        }
        if (request.getExpiresAt() != null && request.getNotBefore() != null
                && !request.getExpiresAt().isAfter(request.getNotBefore())) {
            return Optional.of(new Preferences.Problem("expiresAt", "expiresAt must be after notBefore."));
        }
        return Optional.empty();
    }

    private static Optional<String> optOut(RecipientPreferences prefs, NotificationChannel channel, String category) {
        if (prefs == null) {
            return Optional.empty();
        }
        if (prefs.getOptedOutChannels().contains(channel)) {
            return Optional.of("The recipient opted out of " + channel.name().toLowerCase() + ".");
        }
        if (category != null && prefs.getOptedOutCategories().contains(category)) {
            return Optional.of("The recipient opted out of the category '" + category + "'.");
        }
        return Optional.empty();
    }

    private NotificationMessage message(NotificationRequest request, RecipientPreferences prefs,
                                        NotificationChannel channel, String messageId, String address, long now) {
        String locale = localeOf(request, prefs);
        Map<String, Object> variables = new HashMap<>(request.getData());
        variables.put("recipientId", request.getRecipientId());
        String subject = request.getSubject();
        String body = request.getBody();
        if (request.getTemplateId() != null) {
            Templates.Rendered rendered = templates.render(request.getTenantId(), request.getTemplateId(), locale,
                    variables).orElseThrow();
            subject = subject != null ? subject : rendered.subject();
            body = rendered.body();
        }
        if (channel == NotificationChannel.WEBHOOK) {
            body = webhookPayload(request, subject, body);
        }
        long due = Math.max(now, request.getNotBefore() == null ? 0 : request.getNotBefore().toEpochMilli());
        if (request.getPriority() != NotificationPriority.CRITICAL) {
            due = Preferences.afterQuietHours(prefs, due);
        }
        return NotificationMessage.newBuilder()
                .setMessageId(messageId)
                .setRequestEventId(request.getEventId())
                .setTenantId(request.getTenantId())
                .setRecipientId(request.getRecipientId())
                .setChannel(channel)
                .setDestination(address)
                .setPriority(request.getPriority())
                .setSubject(subject)
                .setBody(body)
                .setData(request.getData())
                .setAttempt(1)
                .setDueAt(Instant.ofEpochMilli(due))
                .setExpiresAt(request.getExpiresAt())
                .setCreatedAt(Instant.ofEpochMilli(now))
                .setTraceparent(request.getTraceparent())
                .build();
    }

    /** The Standard Webhooks payload shape: {type, timestamp, data}. */
    private static String webhookPayload(NotificationRequest request, String subject, String body) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("type", request.getCategory() == null ? "notification" : "notification." + request.getCategory());
        payload.put("timestamp", request.getReceivedAt().toString());
        ObjectNode data = payload.putObject("data");
        data.put("eventId", request.getEventId());
        data.put("recipientId", request.getRecipientId());
        data.put("priority", request.getPriority().name());
        if (subject != null) {
            data.put("subject", subject);
        }
        data.put("body", body);
        ObjectNode fields = data.putObject("data");
        request.getData().forEach(fields::put);
        return payload.toString();
    }

    private void onRetry(Record<byte[], byte[]> record) {
        NotificationMessage message;
        try {
            message = serdes.messages().deserializer().deserialize(TopicCatalog.NOTIFICATIONS_RETRY, record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        if (message == null || message.getChannel() == NotificationChannel.UNKNOWN) {
            deadLetter(record, message == null ? null : message.getRequestEventId(),
                    message == null ? null : message.getTenantId(), RejectionReason.INVALID_VALUE,
                    "A retry must be a NotificationMessage on a channel this version knows.", "channel", null);
            return;
        }
        enqueue(message);
    }

    private void onResult(Record<byte[], byte[]> record) {
        DeliveryResult result;
        try {
            result = serdes.results().deserializer().deserialize(TopicCatalog.NOTIFICATIONS_RESULTS, record.value());
        } catch (SerializationException e) {
            deadLetter(record, null, null, DeadLetters.reasonOf(e), e.getMessage(), null, e);
            return;
        }
        if (result == null) {
            return;
        }
        String requestKey = result.getTenantId() + ":" + result.getRequestEventId();
        Ledger entry = ledger.get(requestKey);
        if (entry != null) {
            Ledger.Channel line = entry.channels.get(result.getChannel().name());
            if (line != null) {
                Ledger.Attempt attempt = new Ledger.Attempt();
                attempt.attempt = result.getAttempt();
                attempt.status = result.getStatus().name();
                attempt.provider = result.getProvider();
                attempt.providerMessageId = result.getProviderMessageId();
                attempt.errorCode = result.getErrorCode();
                attempt.error = result.getError();
                attempt.nextAttemptAt = result.getNextAttemptAt() == null ? null
                        : result.getNextAttemptAt().toEpochMilli();
                attempt.completedAt = result.getCompletedAt().toEpochMilli();
                line.attempts.add(attempt);
                line.status = result.getStatus().name();
                ledger.put(requestKey, entry);
            }
        }
        if (result.getChannel() == NotificationChannel.WEBHOOK && result.getStatus() == DeliveryStatus.FAILED
                && WebhookProvider.GONE.equals(result.getErrorCode())) {
            // The URL that answered 410, which the recipient may have replaced since.
            Ledger.Channel line = entry == null ? null : entry.channels.get(NotificationChannel.WEBHOOK.name());
            if (line != null && line.destination != null) {
                disabledEndpoints.put(recipientKey(result.getTenantId(), result.getRecipientId()), line.destination);
            }
        }
    }

    /** Queued in the order it arrived: the offset of the record that brought it. */
    private void enqueue(NotificationMessage message) {
        enqueue(message, context.recordMetadata().map(meta -> meta.offset()).orElse(0L));
    }

    private void enqueue(NotificationMessage message, long sequence) {
        queue.put(QueueKeys.of(message, sequence), message);
        waiting.merge(message.getChannel(), 1L, Long::sum);
    }

    private void dequeue(String key, NotificationChannel channel) {
        queue.delete(key);
        waiting.merge(channel, -1L, Long::sum);
    }

    /**
     * Sends a new message at once when nothing of its channel waits (so it overtakes nobody), it is
     * due, and the rate and its recipient's limit let it go: the queue store is then not written at
     * all. Anything else (expired, a disabled endpoint, over a limit) waits for the release, which
     * decides it.
     */
    private boolean sendAtOnce(NotificationMessage message, long now) {
        NotificationChannel channel = message.getChannel();
        if (waiting.get(channel) > 0 || message.getDueAt().toEpochMilli() > now
                || expired(message, now) || toDisabledEndpoint(message)
                || recipientAllows(message, now) > now || !buckets.get(channel).tryConsume(1)) {
            return false;
        }
        send(message, now);
        return true;
    }

    private static boolean expired(NotificationMessage message, long now) {
        return message.getExpiresAt() != null && !message.getExpiresAt().isAfter(Instant.ofEpochMilli(now));
    }

    /** A webhook to the URL that answered 410 for this recipient. */
    private boolean toDisabledEndpoint(NotificationMessage message) {
        return message.getChannel() == NotificationChannel.WEBHOOK && message.getDestination().equals(
                disabledEndpoints.get(recipientKey(message.getTenantId(), message.getRecipientId())));
    }

    private void send(NotificationMessage message, long now) {
        countRecipientSend(message, now);
        context.forward(new Record<Object, Object>(recipientKey(message.getTenantId(), message.getRecipientId()),
                message, now), NotificationTopology.sinkOf(message.getChannel()));
    }

    /**
     * Per channel, releases what is due, highest priority first and oldest first within one, as
     * far as this partition's share of the rate allows. An expired message ends DEAD_LETTERED; one
     * over its recipient's limit moves to when the limit lets it go, so it never blocks the others.
     */
    private void release(long now) {
        for (NotificationChannel channel : NotificationTopology.CHANNELS) {
            Bucket bucket = buckets.get(channel);
            for (NotificationPriority priority : RELEASE_ORDER) {
                if (bucket.getAvailableTokens() < 1) {
                    break;
                }
                releaseDue(channel, priority, bucket, now);
            }
        }
    }

    /**
     * Walks the due messages of one channel and priority in order until the share runs out. The
     * iterator reads a snapshot of the store, so a message moved to a later time in this pass does
     * not come round again; the walk reads no further than what it releases, plus the messages it
     * moves or ends (at most {@value #MAX_DEFERRALS_PER_PASS}).
     */
    private void releaseDue(NotificationChannel channel, NotificationPriority priority, Bucket bucket, long now) {
        int deferred = 0;
        try (KeyValueIterator<String, NotificationMessage> range = queue.range(QueueKeys.from(channel, priority),
                QueueKeys.until(channel, priority, now))) {
            while (range.hasNext() && deferred < MAX_DEFERRALS_PER_PASS) {
                KeyValue<String, NotificationMessage> entry = range.next();
                NotificationMessage message = entry.value;
                if (expired(message, now)) {
                    dequeue(entry.key, channel);
                    expire(message, now);
                    deferred++;
                    continue;
                }
                if (toDisabledEndpoint(message)) {
                    dequeue(entry.key, channel);
                    result(message, DeliveryStatus.FAILED, "endpoint_disabled", "The endpoint "
                            + message.getDestination() + " answered 410 Gone before; nothing more is sent to it"
                            + " until the recipient sets a new URL.", now);
                    deferred++;
                    continue;
                }
                long allowedAt = Math.max(recipientAllows(message, now), quietUntil(message, now));
                if (allowedAt > now) {
                    dequeue(entry.key, channel);
                    if (message.getExpiresAt() != null && allowedAt >= message.getExpiresAt().toEpochMilli()) {
                        expire(message, now);
                    } else {
                        message.setDueAt(Instant.ofEpochMilli(allowedAt));
                        enqueue(message, QueueKeys.sequenceOf(entry.key));
                    }
                    deferred++;
                    continue;
                }
                if (!bucket.tryConsume(1)) {
                    return;
                }
                dequeue(entry.key, channel);
                send(message, now);
            }
        }
    }

    /**
     * The end of the recipient's quiet hours if they hold now and the message is not CRITICAL; a
     * backlog, a deferred message or a retry released at night waits for the morning too.
     */
    private long quietUntil(NotificationMessage message, long now) {
        if (message.getPriority() == NotificationPriority.CRITICAL) {
            return now;
        }
        return Preferences.afterQuietHours(preferencesOf(recipientKey(message.getTenantId(),
                message.getRecipientId())), now);
    }

    /**
     * When the recipient's limit for the message's priority lets it go: now, or when its oldest
     * send leaves the window. Only first attempts count and are limited: a retry is the same message.
     */
    private long recipientAllows(NotificationMessage message, long now) {
        NotificationSettings.RecipientLimit limit = settings.getRecipientLimits().get(message.getPriority());
        if (limit == null || message.getAttempt() > 1) {
            return now;
        }
        long window = limit.getPer().toMilliseconds();
        long[] sends = recipientSends.get(sendsKey(message));
        if (sends == null) {
            return now;
        }
        long[] recent = Arrays.stream(sends).filter(at -> at > now - window).sorted().toArray();
        return recent.length < limit.getMax() ? now : recent[recent.length - limit.getMax()] + window;
    }

    private void countRecipientSend(NotificationMessage message, long now) {
        NotificationSettings.RecipientLimit limit = settings.getRecipientLimits().get(message.getPriority());
        if (limit == null || message.getAttempt() > 1) {
            return;
        }
        long window = limit.getPer().toMilliseconds();
        long[] sends = recipientSends.get(sendsKey(message));
        long[] kept = sends == null ? new long[0] : Arrays.stream(sends).filter(at -> at > now - window)
                .toArray();
        long[] updated = Arrays.copyOf(kept, kept.length + 1);
        updated[kept.length] = now;
        recipientSends.put(sendsKey(message), updated);
    }

    private static String sendsKey(NotificationMessage message) {
        return recipientKey(message.getTenantId(), message.getRecipientId()) + "|" + message.getPriority().name();
    }

    private void expire(NotificationMessage message, long now) {
        String why = "Message " + message.getMessageId() + " expired at " + message.getExpiresAt()
                + " before it could be sent (attempt " + message.getAttempt() + ").";
        result(message, DeliveryStatus.DEAD_LETTERED, "expired", why, now);
        byte[] key = recipientKey(message.getTenantId(), message.getRecipientId()).getBytes(StandardCharsets.UTF_8);
        byte[] value = serdes.messages().serializer().serialize(TopicCatalog.channelTopic(message.getChannel()), message);
        Record<byte[], byte[]> original = new Record<>(key, value, now, new RecordHeaders());
        var rejection = DeadLetters.rejection(original, null, message.getRequestEventId(), message.getTenantId(),
                STREAM, NotificationTopology.COMPONENT, RejectionReason.EXPIRED, why, "expiresAt", null, now);
        rejection.setAttempts(message.getAttempt() - 1);
        context.forward(new Record<Object, Object>(key, rejection, now), NotificationTopology.DLQ_SINK);
    }

    private void result(NotificationRequest request, String messageId, NotificationChannel channel,
                        DeliveryStatus status, String errorCode, String error, long now) {
        forwardResult(DeliveryResult.newBuilder().setMessageId(messageId).setRequestEventId(request.getEventId())
                .setTenantId(request.getTenantId()).setRecipientId(request.getRecipientId()).setChannel(channel)
                .setStatus(status).setAttempt(1).setErrorCode(errorCode).setError(error)
                .setCompletedAt(Instant.ofEpochMilli(now)).setTraceparent(request.getTraceparent()).build(), now);
    }

    private void result(NotificationMessage message, DeliveryStatus status, String errorCode, String error, long now) {
        forwardResult(DeliveryResult.newBuilder().setMessageId(message.getMessageId())
                .setRequestEventId(message.getRequestEventId()).setTenantId(message.getTenantId())
                .setRecipientId(message.getRecipientId()).setChannel(message.getChannel()).setStatus(status)
                .setAttempt(message.getAttempt()).setErrorCode(errorCode).setError(error)
                .setCompletedAt(Instant.ofEpochMilli(now)).setTraceparent(message.getTraceparent()).build(), now);
    }

    private void forwardResult(DeliveryResult result, long now) {
        context.forward(new Record<Object, Object>(recipientKey(result.getTenantId(), result.getRecipientId()), result,
                now), NotificationTopology.RESULTS_SINK);
    }

    /**
     * Forgets, a slice at a time, ledger entries older than the dedupe window and recipients'
     * sends older than the longest recipient window: a punctuation never scans a whole store.
     */
    private void sweep(long now) {
        long oldestRequest = now - dedupeMillis;
        ledgerCursor = sweepSlice(ledger, ledgerCursor, entry -> entry.receivedAt < oldestRequest);
        long longestWindow = settings.getRecipientLimits().values().stream()
                .mapToLong(limit -> limit.getPer().toMilliseconds()).max().orElse(0);
        sendsCursor = sweepSlice(recipientSends, sendsCursor,
                sends -> Arrays.stream(sends).allMatch(at -> at <= now - longestWindow));
    }

    /** Deletes what is stale among the next {@value #SWEEP_SLICE} entries after the cursor; the next cursor, or null to start over. */
    private static <V> String sweepSlice(KeyValueStore<String, V> store, String cursor, Predicate<V> stale) {
        List<String> expired = new ArrayList<>();
        String last = null;
        int seen = 0;
        try (KeyValueIterator<String, V> slice = cursor == null ? store.all() : store.range(cursor, null)) {
            while (slice.hasNext() && seen < SWEEP_SLICE) {
                KeyValue<String, V> entry = slice.next();
                if (entry.key.equals(cursor)) {
                    continue;
                }
                seen++;
                last = entry.key;
                if (stale.test(entry.value)) {
                    expired.add(entry.key);
                }
            }
        }
        expired.forEach(store::delete);
        return seen < SWEEP_SLICE ? null : last;
    }

    private void deadLetter(Record<byte[], byte[]> record, String eventId, String tenantId, RejectionReason reason,
                            String message, String fieldPath, Throwable error) {
        LOG.warn("Dead-lettered a notification record: {}", message);
        var rejection = DeadLetters.rejection(record, context.recordMetadata().orElse(null), eventId, tenantId,
                STREAM, NotificationTopology.COMPONENT, reason, message, fieldPath, error, now());
        context.forward(new Record<Object, Object>(record.key(), rejection, record.timestamp()),
                NotificationTopology.DLQ_SINK);
    }

    private long now() {
        return context.currentSystemTimeMs();
    }

    static String recipientKey(String tenant, String recipientId) {
        return tenant + ":" + recipientId;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
