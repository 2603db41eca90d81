package dev.customs.image.registry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.customs.report.Recorder;

/** Records image resolutions and registry requests, for assertions on metrics and on "never contacted". */
final class CountingRecorder implements Recorder {

    final List<String> resolutions = new CopyOnWriteArrayList<>();
    final List<String> registryRequests = new CopyOnWriteArrayList<>();

    @Override
    public void admission(String kind, String operation, String decision, Duration duration) {
    }

    @Override
    public void violation(String rule, String action, String namespace) {
    }

    @Override
    public void imageResolution(String result) {
        resolutions.add(result);
    }

    @Override
    public void registryRequest(String registry, Duration duration) {
        registryRequests.add(registry);
    }

    @Override
    public void event(String result) {
    }

    @Override
    public void exemptionExpired(String exemption) {
    }

    @Override
    public void auditRun(Map<AuditKey, Integer> violations, Map<String, Integer> objects, Instant finishedAt) {
    }

    long resolutions(String result) {
        return resolutions.stream().filter(result::equals).count();
    }
}
