package dev.eventbackbone.contracts.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LruCacheTest {

    @Test
    void forgetsTheLeastRecentlyUsedEntryBeyondCapacity() {
        LruCache<Integer, String> cache = new LruCache<>(2);
        cache.put(1, "one");
        cache.put(2, "two");
        cache.get(1);
        cache.put(3, "three");

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(1)).isEqualTo("one");
        assertThat(cache.get(2)).isNull();
        assertThat(cache.get(3)).isEqualTo("three");
    }

    @Test
    void loadsOnlyWhatIsNotCached() {
        LruCache<Integer, String> cache = new LruCache<>(10);
        cache.put(1, "cached");

        assertThat(cache.computeIfAbsent(1, key -> "loaded")).isEqualTo("cached");
        assertThat(cache.computeIfAbsent(2, key -> "loaded")).isEqualTo("loaded");
        assertThat(cache.get(2)).isEqualTo("loaded");
    }
}
