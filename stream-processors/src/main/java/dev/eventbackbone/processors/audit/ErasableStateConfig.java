package dev.eventbackbone.processors.audit;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * RocksDB settings of the audit normalizer's stores: every file is rewritten at least daily, so the
 * bytes of a destroyed subject key leave the local disk within a day, as they leave the compacted
 * topics; a RocksDB delete alone leaves them in older files for as long as nothing compacts them.
 */
public final class ErasableStateConfig implements RocksDBConfigSetter {

    static final long PERIODIC_COMPACTION_SECONDS = TimeUnit.DAYS.toSeconds(1);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setPeriodicCompactionSeconds(PERIODIC_COMPACTION_SECONDS);
    }

    @Override
    public void close(String storeName, Options options) {
    }
}
