package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.ReviewBudget.Charge;
import dev.customs.image.ImageResolver;
import dev.customs.image.UnavailableImageInspector;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;

/**
 * A review's parsed form is charged while its tree is built ({@link ReviewBudget#meter}): one that fits is evaluated
 * and ends charged exactly its tree; one whose tree stops fitting is refused where its parse stands; either way the
 * budget returns to what the others hold.
 */
class ParsedChargeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;

    private final AdmissionHandler handler = new AdmissionHandler(JSON, new RuleEngine(RuleRegistry.defaults()),
            Policy.enforceAll(), new ImageResolver(new UnavailableImageInspector("no registry in this test"),
                    Duration.ofSeconds(1)),
            new Reporter(Recorder.NONE, null, false));

    /** A review's share, as the route keeps it, and the largest token count it was asked to pay for. */
    private static final class Share implements ReviewBudget.Share {
        Charge charge = Charge.NONE;
        long mostTokens;

        @Override
        public Charge charge() {
            return charge;
        }

        @Override
        public void charge(Charge c) {
            charge = c;
        }
    }

    /** A review of a pod with one container and {@code env} variables, and {@code managed} managedFields entries. */
    private static byte[] review(int env, int managed) throws IOException {
        ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind",
                "AdmissionReview");
        ObjectNode req = review.putObject("request").put("uid", "u-1").put("operation", "CREATE")
                .put("namespace", "shop").put("name", "web");
        req.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        ObjectNode pod = req.putObject("object").put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode metadata = pod.putObject("metadata").put("name", "web").put("namespace", "shop");
        ArrayNode fields = managed == 0 ? null : metadata.putArray("managedFields");
        for (int i = 0; i < managed; i++) {
            fields.addObject().put("manager", "kubectl").put("operation", "Update").putObject("fieldsV1")
                    .putObject("f:spec").putObject("f:containers");
        }
        ObjectNode c = pod.putObject("spec").putArray("containers").addObject().put("name", "app")
                .put("image", "app@sha256:" + "a".repeat(64));
        ArrayNode vars = c.putArray("env");
        for (int i = 0; i < env; i++) {
            vars.addObject().put("name", "V" + i).put("value", "x");
        }
        return JSON.writeValueAsBytes(review);
    }

    private static long tokens(byte[] body) throws IOException {
        long n = 0;
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            while (p.nextToken() != null) {
                n++;
            }
        }
        return n;
    }

    private ReviewReader.Meter meter(ReviewBudget budget, long bytes, Share share) {
        ReviewReader.Meter m = budget.meter(bytes, share);
        return tokens -> {
            share.mostTokens = Math.max(share.mostTokens, tokens);
            m.cover(tokens);
        };
    }

    @Test
    void aReviewThatFitsIsEvaluatedAndEndsChargedExactlyItsTree() throws Exception {
        ReviewBudget budget = new ReviewBudget(64 * MIB);
        byte[] body = review(5_000, 0);
        Share share = new Share();
        share.charge = budget.body(body.length, Charge.NONE);

        AdmissionHandler.Outcome outcome = handler.review(body, meter(budget, body.length, share))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(outcome.ok()).as("evaluated").isTrue();
        assertThat(outcome.decision()).isNotNull();
        assertThat(share.charge).isEqualTo(new Charge(ReviewBudget.cost(body.length, tokens(body)), false));
        assertThat(budget.used()).isEqualTo(share.charge.bytes());
        budget.release(share.charge);
        assertThat(budget.used()).isZero();
    }

    @Test
    void whatTheReaderSkipsIsNotCharged() throws Exception {
        ReviewBudget budget = new ReviewBudget(64 * MIB);
        byte[] body = review(10, 2_000);
        byte[] without = review(10, 0);
        Share share = new Share();
        share.charge = budget.body(body.length, Charge.NONE);

        assertThat(handler.review(body, meter(budget, body.length, share)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS).ok()).isTrue();

        // of managedFields, the reader counts its name and the opening bracket, then skips the rest
        assertThat(share.charge.bytes()).isEqualTo(ReviewBudget.cost(body.length, tokens(without) + 2));
        budget.release(share.charge);
        assertThat(budget.used()).isZero();
    }

    @Test
    void aReviewWhoseTreeStopsFittingIsRefusedMidParseAndTheBudgetReturns() throws Exception {
        ReviewBudget budget = new ReviewBudget(8 * MIB);
        Charge others = budget.parsed(6 * MIB, budget.body(MIB, Charge.NONE));
        byte[] body = review(40_000, 0); // about 240,000 tokens, some 30 MiB estimated: over the quarter, large
        Share share = new Share();
        share.charge = budget.body(body.length, Charge.NONE);

        assertThatThrownBy(() -> handler.review(body, meter(budget, body.length, share)))
                .isSameAs(ReviewBudget.Exhausted.INSTANCE);

        assertThat(share.mostTokens).as("tokens paid for when it was refused").isGreaterThan(0)
                .isLessThan(tokens(body) / 2);
        assertThat(budget.used()).isEqualTo(others.bytes() + share.charge.bytes());
        budget.release(share.charge);
        assertThat(budget.used()).isEqualTo(others.bytes());
        budget.release(others);
        assertThat(budget.used()).isZero();
    }
}
