package dev.eventbackbone.processors.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbackbone.contracts.events.AuditActorType;
import dev.eventbackbone.contracts.events.AuditOutcome;
import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void readsOutcomeWordsRegardlessOfCaseAndSpaces() {
        assertThat(Vocabulary.outcome(" Succeeded ")).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(Vocabulary.outcome("PASS")).isEqualTo(AuditOutcome.SUCCESS);
        assertThat(Vocabulary.outcome("rejected")).isEqualTo(AuditOutcome.DENIED);
        assertThat(Vocabulary.outcome("perhaps")).isNull();
        assertThat(Vocabulary.outcome(null)).isNull();
    }

    @Test
    void tellsTheActorTypeOfABareIdByItsShape() {
        assertThat(Vocabulary.actorTypeOfId("SYSTEM")).isEqualTo(AuditActorType.SYSTEM);
        assertThat(Vocabulary.actorTypeOfId("systematic")).isEqualTo(AuditActorType.UNKNOWN);
        assertThat(Vocabulary.actorTypeOfId("Ann@Example.com")).isEqualTo(AuditActorType.USER);
        assertThat(Vocabulary.actorTypeOfId("ann@localhost")).isEqualTo(AuditActorType.UNKNOWN);
        assertThat(Vocabulary.actorType(" APP ")).isEqualTo(AuditActorType.SERVICE);
    }
}
